// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Value-list elements and operators (spec sections 2–7).
extension PatternCompiler {
    mutating func readValue(_ element: JSONValue, path: String) throws(PatternError) -> ValueMatcher {
        try countValue(path: path)
        switch element {
        case .string(let text):
            try checkOperand(text, path: path)
            if let address = IPAddress.parse(text, allowsLeadingZeros: true) {
                return .ipRange(IPRange(address: address))
            }
            return .exactString(text)
        case .number(let number):
            return .exactNumber(NumberLiteral(text: number.text))
        case .bool(let value):
            return .exactBool(value)
        case .null:
            return .exactNull
        case .array:
            throw PatternError(
                code: .invalidMatchValue,
                path: path,
                message: "a value list holds strings, numbers, true, false, null or operator objects, not arrays"
            )
        case .object(let object):
            guard let member = object.members.first else {
                throw PatternError(
                    code: .invalidMatchValue,
                    path: path,
                    message: "an operator object needs exactly one operator, such as {\"prefix\": \"us-\"}"
                )
            }
            guard object.members.count == 1 else {
                throw PatternError(
                    code: .unknownOperator,
                    path: path,
                    message: "only one operator is allowed per object; put alternatives in separate list elements"
                )
            }
            return try readOperator(member.name, member.value, path: PatternCompiler.jsonPath(path, member.name))
        }
    }

    private mutating func readOperator(
        _ name: String,
        _ operand: JSONValue,
        path: String
    ) throws(PatternError) -> ValueMatcher {
        switch name {
        case "prefix", "suffix":
            let isPrefix = name == "prefix"
            if case .object(let object) = operand {
                guard object.members.count == 1, let inner = object.members.first,
                    inner.name == "equals-ignore-case"
                else {
                    throw invalid(.invalidOperand, path, "\(name) takes a string or {\"equals-ignore-case\": \"…\"}")
                }
                let folded = CaseFolding.fold(try string(inner.value, path: path, operator: "equals-ignore-case"))
                return isPrefix ? .prefixIgnoreCase(folded) : .suffixIgnoreCase(folded)
            }
            let text = try string(operand, path: path, operator: name)
            return isPrefix ? .prefix(text) : .suffix(text)
        case "equals-ignore-case":
            return .equalsIgnoreCase(CaseFolding.fold(try string(operand, path: path, operator: name)))
        case "wildcard":
            return .wildcard(try wildcard(operand, path: path))
        case "exactly":
            return .exactString(try string(operand, path: path, operator: name))
        case "anything-but":
            return .anythingBut(try readExclusion(operand, path: path))
        case "numeric":
            return .numeric(try NumericOperand.read(operand, path: path))
        case "cidr":
            let text = try string(operand, path: path, operator: name)
            switch IPRange.parseCIDR(text, allowsLeadingZeros: true) {
            case .success(let range): return .ipRange(range)
            case .failure(let problem): throw invalid(.invalidCIDR, path, "cidr: \(problem.message)")
            }
        case "exists":
            guard case .bool(let value) = operand else {
                throw invalid(.invalidOperand, path, "exists takes true or false (JSON booleans, not strings)")
            }
            return .exists(value)
        default:
            throw PatternError(
                code: .unknownOperator,
                path: path,
                message:
                    "unrecognized operator; use one of prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, cidr, exists, exactly (names are case-sensitive)"
            )
        }
    }

    private mutating func readExclusion(
        _ operand: JSONValue,
        path: String
    ) throws(PatternError) -> ValueMatcher.Exclusion {
        let usage =
            "anything-but takes a string, a number, a non-empty list of only strings or only numbers, or one of {prefix|suffix|equals-ignore-case|wildcard: …}"
        switch operand {
        case .string(let text):
            try checkOperand(text, path: path)
            return .strings([text])
        case .number(let number):
            return .numbers([NumberLiteral(text: number.text)])
        case .array(let items):
            var strings: [String] = []
            var numbers: [NumberLiteral] = []
            for item in items {
                try countValue(path: path)
                switch item {
                case .string(let text):
                    try checkOperand(text, path: path)
                    strings.append(text)
                case .number(let number): numbers.append(NumberLiteral(text: number.text))
                default: throw invalid(.invalidAnythingBut, path, usage)
                }
            }
            guard !items.isEmpty, strings.isEmpty || numbers.isEmpty else {
                throw invalid(.invalidAnythingBut, path, usage)
            }
            return numbers.isEmpty ? .strings(Set(strings)) : .numbers(numbers)
        case .object(let object):
            guard object.members.count == 1, let inner = object.members.first else {
                throw invalid(.invalidAnythingBut, path, usage)
            }
            let innerPath = PatternCompiler.jsonPath(path, inner.name)
            guard ["prefix", "suffix", "equals-ignore-case", "wildcard"].contains(inner.name) else {
                throw invalid(
                    .invalidAnythingBut,
                    innerPath,
                    "anything-but can only nest prefix, suffix, equals-ignore-case or wildcard"
                )
            }
            var operands: [String] = []
            switch inner.value {
            case .string(let text):
                operands = [text]
            case .array(let items) where !items.isEmpty:
                for item in items {
                    try countValue(path: innerPath)
                    operands.append(try string(item, path: innerPath, operator: "anything-but \(inner.name)"))
                }
            default:
                throw invalid(
                    .invalidAnythingBut,
                    innerPath,
                    "anything-but \(inner.name) takes a string or a non-empty list of strings"
                )
            }
            for operand in operands {
                try checkOperand(operand, path: innerPath)
            }
            switch inner.name {
            case "prefix", "suffix":
                guard !operands.contains("") else {
                    throw invalid(
                        .invalidAnythingBut,
                        innerPath,
                        "anything-but \(inner.name) cannot be empty (it would exclude every string)"
                    )
                }
                return inner.name == "prefix" ? .prefixes(operands) : .suffixes(operands)
            case "equals-ignore-case":
                return .ignoreCase(operands.map(CaseFolding.fold))
            default:
                var wildcards: [Wildcard] = []
                for operand in operands {
                    wildcards.append(try wildcard(.string(operand), path: innerPath))
                }
                return .wildcards(wildcards)
            }
        default:
            throw invalid(.invalidAnythingBut, path, usage)
        }
    }

    private func wildcard(_ operand: JSONValue, path: String) throws(PatternError) -> Wildcard {
        let text = try string(operand, path: path, operator: "wildcard")
        switch Wildcard.parse(text) {
        case .success(let wildcard):
            guard wildcard.stars <= limits.maxWildcardStars else {
                throw invalid(.limitExceeded, path, "wildcard: more than \(limits.maxWildcardStars) '*' in one operand")
            }
            return wildcard
        case .failure(let problem):
            throw invalid(.invalidWildcard, path, "wildcard: \(problem.message)")
        }
    }

    private func string(_ operand: JSONValue, path: String, operator name: String) throws(PatternError) -> String {
        guard case .string(let text) = operand else {
            throw invalid(.invalidOperand, path, "\(name) must be a string, not \(operand.typeName)")
        }
        try checkOperand(text, path: path)
        return text
    }

    private func checkOperand(_ text: String, path: String) throws(PatternError) {
        guard text.utf8.count <= limits.maxOperandBytes else {
            throw invalid(.limitExceeded, path, "string operands are limited to \(limits.maxOperandBytes) bytes")
        }
    }

    private mutating func countValue(path: String) throws(PatternError) {
        valueCount += 1
        guard valueCount <= limits.maxValues else {
            throw invalid(
                .limitExceeded,
                path,
                "the pattern has more than \(limits.maxValues) values; split it into several rules"
            )
        }
    }

    private func invalid(_ code: PatternError.Code, _ path: String, _ message: String) -> PatternError {
        PatternError(code: code, path: path, message: message)
    }
}
