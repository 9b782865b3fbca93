// SPDX-License-Identifier: Apache-2.0

public import TocsinResponse

/// The node's id derivation, for the pure event builders (`Alert.event(identifiers:)`,
/// `Incident.openedEvent(identifiers:)`).
extension EventIdentifiers: EventIdentifierDeriving {}
