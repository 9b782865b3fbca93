// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation

#if OTel
import OTel
import ServiceLifecycle
#endif

/// `serve --otlp-endpoint`: export a trace of every event, from ingest to each delivery, over
/// OTLP/HTTP (docs/tracing.md).
///
/// The export needs a build with the `OTel` package trait (`swift build --traits OTel`); the
/// default build traces with a no-op tracer and refuses the option with the command that rebuilds.
struct TracingOptions: ParsableArguments {
    @Option(
        name: .customLong("otlp-endpoint"),
        help: ArgumentHelp(
            "Export traces over OTLP/HTTP to this URL, e.g. http://127.0.0.1:4318/v1/traces (env TOCSIN_OTLP_ENDPOINT; needs a build with --traits OTel; docs/tracing.md).",
            valueName: "url"
        )
    )
    var otlpEndpoint: String?

    /// Checks the endpoint that won (flag, environment or file).
    ///
    /// - Throws: `ValidationError` for a URL that is not http(s), and in a build without the `OTel`
    ///   trait, with the command that rebuilds.
    static func check(_ endpoint: String) throws {
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host?.isEmpty == false
        else {
            throw ValidationError(
                "--otlp-endpoint must be an http or https URL such as http://127.0.0.1:4318/v1/traces."
            )
        }
        #if !OTel
        throw ValidationError(
            "this tocsin was built without trace export; rebuild it with 'swift build -c release --traits OTel' (docs/tracing.md), or remove --otlp-endpoint, TOCSIN_OTLP_ENDPOINT and otlp_endpoint."
        )
        #endif
    }

    /// Runs `body` with traces exported to `endpoint` when one is set, or just runs it.
    static func run(endpoint: String?, _ body: () async throws -> Void) async throws {
        #if OTel
        if let endpoint {
            var configuration = OTel.Configuration.default
            configuration.serviceName = "tocsin"
            // Only traces: logs go to standard error and metrics to /metrics, as without the trait.
            configuration.logs.enabled = false
            configuration.metrics.enabled = false
            configuration.propagators = [.traceContext]
            configuration.traces.otlpExporter.protocol = .httpProtobuf
            configuration.traces.otlpExporter.endpoint = endpoint
            let exporter = try OTel.bootstrap(configuration: configuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await exporter.run() }
                try await body()
                group.cancelAll()
            }
            return
        }
        #endif
        try await body()
    }
}
