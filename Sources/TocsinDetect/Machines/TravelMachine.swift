// SPDX-License-Identifier: Apache-2.0

/// Impossible travel: each event of a group (a login of a user) is compared with the group's latest one; when
/// the great-circle distance is at least `minimumKilometres` and the speed it implies exceeds
/// `maximumKilometresPerHour`, the pair raises one alert.
///
/// A group keeps one event: its latest by event time. It expires once no future event could be too fast
/// from it: half the Earth's circumference (20,016 km) at the maximum speed.
struct TravelMachine: RuleMachine {
    struct Login: Sendable, Hashable, Codable {
        var stamp: Stamp
        var point: GeoPoint
    }

    let rule: DetectionRule
    var table: GroupTable
    var statistics = RuleStatistics()
    let maximumSpeed: Double
    let minimumKilometres: Double
    let span: Int64
    private var latest: [Login] = []

    /// The longest time between two events that can still be too fast: half the circumference of the
    /// distance sphere at `maximumKilometresPerHour`, in milliseconds.
    static func relevantSpan(maximumKilometresPerHour speed: Double) -> Int64 {
        let halfCircumference = Double.pi * GeoPoint.earthRadiusKilometres
        let milliseconds = halfCircumference / speed * 3_600_000
        guard milliseconds.isFinite, milliseconds > 0, milliseconds < Double(DetectionRule.maximumSpan) else {
            return DetectionRule.maximumSpan
        }
        return Int64(milliseconds) + 1
    }

    init(rule: DetectionRule, maximumSpeed: Double, minimumKilometres: Double) {
        self.rule = rule
        self.table = GroupTable(capacity: rule.maximumGroups)
        self.maximumSpeed = maximumSpeed
        self.minimumKilometres = minimumKilometres
        self.span = Self.relevantSpan(maximumKilometresPerHour: maximumSpeed)
    }

    var isConsistent: Bool {
        latest.count == table.slotCount
    }

    func isExpired(_ slot: Int32, watermark: Int64) -> Bool {
        latest[Int(slot)].stamp.time < watermark - span
    }

    mutating func prepare(_ slot: Int32, isNew: Bool) {
        let empty = Login(stamp: .none, point: GeoPoint(latitude: 0, longitude: 0))
        if isNew {
            latest.append(empty)
        } else {
            latest[Int(slot)] = empty
        }
    }

    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert]) {
        guard let point = observation.location, point.isValid else {
            statistics.ignored += 1
            return
        }
        let slot = Int(acquireSlot(for: observation.group, watermark: context.watermark))
        statistics.applied += 1
        let login = Login(stamp: Stamp(time: observation.eventTime, sequence: observation.sequence), point: point)
        let previous = latest[slot]
        if previous.stamp.time <= login.stamp.time {
            latest[slot] = login
        }
        guard previous.stamp.time != .min else {
            return
        }
        let kilometres = previous.point.kilometres(to: point)
        let milliseconds = max(1, abs(login.stamp.time - previous.stamp.time))
        let speed = kilometres / (Double(milliseconds) / 3_600_000)
        guard kilometres >= minimumKilometres, speed > maximumSpeed else {
            return
        }
        let (earlier, later) =
            (previous.stamp.time, previous.stamp.sequence) <= (login.stamp.time, login.stamp.sequence)
            ? (previous.stamp, login.stamp) : (login.stamp, previous.stamp)
        statistics.alerts += 1
        alerts.append(
            Alert(
                rule: rule.id,
                kind: .impossibleTravel,
                group: observation.group,
                count: 2,
                time: later.time,
                firstTime: earlier.time,
                lastTime: later.time,
                evidence: [earlier.sequence, later.sequence],
                travel: Alert.Travel(kilometres: kilometres, kilometresPerHour: speed)
            )
        )
    }
}
