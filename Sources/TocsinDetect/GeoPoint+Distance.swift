// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GeoPoint {
    /// The great-circle distance to `other` in kilometres (haversine formula on a sphere of
    /// `earthRadiusKilometres`; within about 0.5% of the ellipsoidal distance).
    ///
    /// - Parameter other: The other point.
    /// - Returns: The distance in kilometres.
    public func kilometres(to other: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let latitude1 = latitude * radians
        let latitude2 = other.latitude * radians
        let halfLatitude = (latitude2 - latitude1) / 2
        let halfLongitude = (other.longitude - longitude) * radians / 2
        let sine1 = sin(halfLatitude)
        let sine2 = sin(halfLongitude)
        let chord = sine1 * sine1 + cos(latitude1) * cos(latitude2) * sine2 * sine2
        return 2 * Self.earthRadiusKilometres * asin(min(1, chord.squareRoot()))
    }
}
