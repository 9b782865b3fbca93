// SPDX-License-Identifier: Apache-2.0

/// A compiled detection: the condition with every search identifier replaced by its tests.
indirect enum SigmaExpression: Sendable {
    case and([SigmaExpression])
    case or([SigmaExpression])
    case not(SigmaExpression)
    case field(SigmaFieldPredicate)
    case keywords(SigmaKeywordPredicate)
}
