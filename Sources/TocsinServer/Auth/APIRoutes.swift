// SPDX-License-Identifier: Apache-2.0

public import HTTPTypes
import Hummingbird
import Synchronization
public import TocsinCore

/// The permission table of the API: every `/v1` route is registered through
/// ``RouteRegistrar/add(_:_:_:handler:)``, which names the permission it needs, so no route can exist without
/// one.
///
/// The authentication middleware looks the permission up by the matched route and refuses routes missing from
/// it.
public final class APIRoutes: Sendable {
    /// One route and the permission it needs.
    public struct Entry: Sendable, Hashable {
        /// The HTTP method.
        public var method: HTTPRequest.Method
        /// The route template as the router reports it (`/v1/rules/{name}`).
        public var path: String
        /// What the caller must be allowed to do.
        public var permission: Permission
    }

    private let entries = Mutex<[String: Entry]>([:])

    init() {}

    /// Every registered route and its permission, sorted by path and method.
    public var table: [Entry] {
        entries.withLock { $0.values }.sorted { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }
    }

    /// The permission `method` on the route template `path` needs, or `nil` for a route not in the table.
    func permission(_ method: HTTPRequest.Method, _ path: String) -> Permission? {
        entries.withLock { $0[Self.key(method, path)]?.permission }
    }

    fileprivate func record(_ entry: Entry) {
        entries.withLock { $0[Self.key(entry.method, entry.path)] = entry }
    }

    private static func key(_ method: HTTPRequest.Method, _ path: String) -> String {
        method.rawValue + " " + path
    }
}

/// Adds routes to a router group and their permissions to the table, in one call.
struct RouteRegistrar {
    let group: RouterGroup<TocsinRequestContext>
    let prefix: String
    let routes: APIRoutes

    /// Registers a route under the group with the permission it needs.
    func add(
        _ method: HTTPRequest.Method,
        _ path: String,
        _ permission: Permission,
        handler: @escaping @Sendable (Request, TocsinRequestContext) async throws -> Response
    ) {
        group.on(RouterPath(path), method: method, use: handler)
        let template = RouterPath(prefix + "/" + path).description
        routes.record(APIRoutes.Entry(method: method, path: template, permission: permission))
    }
}
