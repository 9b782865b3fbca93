// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import TocsinConsole
import TocsinServer

extension TocsinRuntime {
    /// The web console's routes, over its own instance of the `/v1` router.
    static func consoleRoutes(
        _ services: TocsinHTTPServer.Services,
        insights: any ConsoleInsightsProvider,
        configuration: RuntimeConfiguration,
        clock: @escaping @Sendable () -> Int64
    ) throws -> @Sendable (Router<TocsinRequestContext>) -> Void {
        var settings = WebConsole.Configuration()
        settings.secureCookies = configuration.server.tls != nil
        settings.maximumStreamsPerIdentity = configuration.server.maxStreamsPerIdentity
        let console = try WebConsole(
            api: TocsinHTTPServer.makeAPI(services, configuration: configuration.server).router.buildResponder(),
            log: services.log,
            access: services.access,
            insights: insights,
            configuration: settings,
            clock: clock
        )
        return { router in console.addRoutes(to: router) }
    }
}
