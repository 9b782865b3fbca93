// SPDX-License-Identifier: Apache-2.0

import CoreMetrics
import Synchronization

/// Requests by route template, method and status, and their latency.
///
/// Labels name route templates (`/v1/events/{seq}`), never raw paths; a request no route matched is
/// counted under ``unmatchedRoute``. Each (route, method) gets its handles once, on its first request.
public final class HTTPMetrics: Sendable {
    /// The route label of requests that matched no route.
    public static let unmatchedRoute = "unmatched"

    private struct Key: Hashable {
        let method: String
        let route: String
    }

    private let factory: any MetricsFactory
    private let routes = Mutex<[Key: RouteMetrics]>([:])
    private let unmatched: RouteMetrics

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.unmatched = RouteMetrics(method: "any", route: Self.unmatchedRoute, factory: factory)
    }

    /// The handles of `method` on the route template `route`; ``unmatchedRoute`` when `route` is `nil`.
    ///
    /// The method label is the method as given, so pass only methods the route was registered with.
    public func route(method: String, route: String?) -> RouteMetrics {
        guard let route else {
            return unmatched
        }
        let key = Key(method: method, route: route)
        return routes.withLock { routes in
            if let found = routes[key] {
                return found
            }
            let created = RouteMetrics(method: method, route: route, factory: factory)
            routes[key] = created
            return created
        }
    }
}

/// The handles of one (route, method): a request counter per status seen, and a latency histogram.
public final class RouteMetrics: Sendable {
    private let method: String
    private let route: String
    private let factory: any MetricsFactory
    private let duration: Timer
    /// Counters by status, in the order first seen; a route answers with a handful of statuses.
    private let statuses = Mutex<[(status: Int, counter: Counter)]>([])

    init(method: String, route: String, factory: any MetricsFactory) {
        self.method = method
        self.route = route
        self.factory = factory
        self.duration = Timer(
            label: MetricName.httpRequestDuration,
            dimensions: [("method", method), ("route", route)],
            factory: factory
        )
    }

    /// Counts one request answered with `status` after `nanoseconds`.
    public func record(status: Int, nanoseconds: Int64) {
        duration.recordNanoseconds(nanoseconds)
        counter(status).increment()
    }

    private func counter(_ status: Int) -> Counter {
        statuses.withLock { statuses in
            for entry in statuses where entry.status == status {
                return entry.counter
            }
            let counter = Counter(
                label: MetricName.httpRequests,
                dimensions: [("method", method), ("route", route), ("status", String(status))],
                factory: factory
            )
            statuses.append((status, counter))
            return counter
        }
    }
}
