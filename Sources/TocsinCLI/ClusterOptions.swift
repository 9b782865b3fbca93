// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinRuntime
import TocsinStore

/// `serve --backend`, `--nats-url`, `--nats-replicas`, `--nats-publish-wait-seconds`,
/// `--nats-source-domain`, `--detection-partitions` and `--node-name`: the log and the identities on
/// a NATS JetStream cluster (docs/scale-out.md).
///
/// The NATS backend needs a build with the `NATS` package trait (`swift build --traits NATS`); the
/// default build refuses `--backend nats` with the command that rebuilds.
struct ClusterOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where the log and the identities live: sqlite (the embedded store) or nats (a JetStream cluster; needs a build with --traits NATS) (env TOCSIN_BACKEND; default sqlite; docs/scale-out.md).",
            valueName: "sqlite|nats"
        )
    )
    var backend: String?

    @Option(
        name: .customLong("nats-url"),
        help: ArgumentHelp(
            "The NATS cluster's seed list, comma-separated, e.g. nats://10.0.0.1:4222,nats://10.0.0.2:4222 (env TOCSIN_NATS_URL; needed with --backend nats).",
            valueName: "urls"
        )
    )
    var natsURL: String?

    @Option(
        name: .customLong("nats-replicas"),
        help: "Copies of the event stream and the identities bucket, 1 to 5 (env TOCSIN_NATS_REPLICAS; default 3)."
    )
    var natsReplicas: Int?

    @Option(
        name: .customLong("nats-publish-wait-seconds"),
        help:
            "Seconds a publish retries through a stream leader election before answering 503 with Retry-After, 1 to 60 (env TOCSIN_NATS_PUBLISH_WAIT_SECONDS; default 10)."
    )
    var natsPublishWaitSeconds: Int?

    @Option(
        name: .customLong("nats-source-domain"),
        help: ArgumentHelp(
            "JetStream domains of other regions, comma-separated: this region's event stream copies theirs in, in order, and routes their events (env TOCSIN_NATS_SOURCE_DOMAIN; docs/scale-out.md#the-event-mesh).",
            valueName: "domains"
        )
    )
    var natsSourceDomains: String?

    @Option(
        name: .customLong("detection-partitions"),
        help:
            "How many partitions the cluster's detections are split into by group key, 1 to 256; the first node stores it for the cluster (env TOCSIN_DETECTION_PARTITIONS; default 16; docs/scale-out.md#detection)."
    )
    var detectionPartitions: Int?

    @Option(
        name: .customLong("node-name"),
        help:
            "This node's name in the cluster: letters, digits, '.', '_' and '-', at most 63 (env TOCSIN_NODE_NAME; default the host name)."
    )
    var nodeName: String?

    @OptionGroup var authentication: NATSAuthOptions

    /// Sets ``RuntimeConfiguration/cluster`` from the settings that won (flag, environment or file).
    ///
    /// - Throws: `ValidationError` for an unknown backend, a malformed seed list, a value out of range,
    ///   a NATS setting without `--backend nats`, or `--backend nats` in a build without the trait.
    func apply(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
        let backend = settings.text(.backend, backend) ?? "sqlite"
        let urls = settings.text(.natsURL, natsURL)
        let replicas = try settings.integer(.natsReplicas, natsReplicas)
        let wait = try settings.integer(.natsPublishWaitSeconds, natsPublishWaitSeconds)
        let domains = settings.text(.natsSourceDomains, natsSourceDomains)
        let partitions = try settings.integer(.detectionPartitions, detectionPartitions)
        switch backend {
        case "sqlite":
            if urls != nil || replicas != nil || wait != nil || domains != nil || partitions != nil
                || authentication.isSet(settings)
            {
                throw ValidationError(
                    "--nats-url, --nats-replicas, --nats-publish-wait-seconds, --nats-source-domain and the --detection-partitions, --nats-user, --nats-creds and --nats-tls-* settings apply only with --backend nats; add --backend nats or remove them"
                )
            }
            return
        case "nats":
            break
        default:
            throw ValidationError("--backend must be 'sqlite' or 'nats'")
        }
        guard let urls else {
            throw ValidationError(
                "--backend nats needs --nats-url (or TOCSIN_NATS_URL) with the cluster's seed list, e.g. nats://127.0.0.1:4222,nats://127.0.0.1:4223"
            )
        }
        let servers = try Self.servers(urls)
        var cluster = ClusterSettings(
            servers: servers,
            nodeName: try nodeName(settings),
            authentication: try authentication.authentication(servers: servers, settings: settings)
        )
        if let replicas {
            guard (1...5).contains(replicas) else { throw ValidationError("--nats-replicas must be from 1 to 5") }
            cluster.replicas = Int(replicas)
        }
        if let wait {
            // The stream remembers message ids for 2 minutes; a retry must stay well inside that window.
            guard (1...60).contains(wait) else {
                throw ValidationError("--nats-publish-wait-seconds must be from 1 to 60")
            }
            cluster.publishWait = .seconds(wait)
        }
        if let domains {
            cluster.sourceDomains = try Self.domains(domains)
        }
        if let partitions {
            guard (1...256).contains(partitions) else {
                throw ValidationError("--detection-partitions must be from 1 to 256")
            }
            cluster.detectionPartitions = Int(partitions)
        }
        // The cluster's chain holder witnesses the cluster chain; the node's own store has no witness.
        cluster.checkpointWitnessPath = configuration.store.checkpointWitnessPath
        configuration.store.checkpointWitnessPath = nil
        #if NATS
        configuration.cluster = cluster
        #else
        _ = cluster
        throw ValidationError(
            "this tocsin was built without the NATS backend; rebuild it with 'swift build -c release --traits NATS' (needs libnats-dev; docs/scale-out.md), or use --backend sqlite"
        )
        #endif
    }

    /// The seed list: `nats://` or `tls://` URLs with a host and a port, rebuilt from their parts.
    static func servers(_ list: String) throws -> [String] {
        switch NATSServerAddress.parseList(list) {
        case .success(let addresses):
            return addresses.map(\.url)
        case .failure(.empty):
            throw ValidationError("--nats-url is empty; give nats://host:port[,nats://host:port…]")
        case .failure(.badEntry(let index)):
            throw ValidationError(
                "--nats-url entry \(index) is not nats://host:port (or tls://host:port) without user, path or query; separate entries with commas"
            )
        }
    }

    /// The JetStream domains of `--nats-source-domain`: each 1 to 63 letters, digits, '_' or '-'.
    static func domains(_ list: String) throws -> [String] {
        let names = list.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        for name in names
        where !(1...63).contains(name.utf8.count)
            || !name.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-".unicodeScalars.contains($0))
            })
        {
            throw ValidationError(
                "--nats-source-domain takes JetStream domain names separated by commas, each 1 to 63 letters, digits, '_' or '-'"
            )
        }
        return names
    }

    private func nodeName(_ settings: ServeSettings) throws -> String {
        guard let name = settings.text(.nodeName, nodeName) else {
            let host = ProcessInfo.processInfo.hostName
            return Self.isValidNodeName(host) ? host : "tocsin"
        }
        guard Self.isValidNodeName(name) else {
            throw ValidationError("--node-name must be 1 to 63 letters, digits, '.', '_' or '-'")
        }
        return name
    }

    static func isValidNodeName(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            }
    }
}
