// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

extension ComplianceScanner {
    /// The findings in the string values of an already-parsed document, in document order.
    ///
    /// - Parameter value: The document.
    /// - Returns: The findings, with paths written as ``ComplianceFinding/path`` describes.
    public func scan(_ value: JSONValue) -> [ComplianceFinding] {
        var findings: [ComplianceFinding] = []
        var steps: [JSONPath.Step] = []
        Self.visit(value, steps: &steps) { categories, steps in
            let path = JSONPathText.render(steps)
            for category in categories {
                findings.append(ComplianceFinding(category: category, path: path))
            }
        }
        return findings
    }

    /// The categories in one string value held by a member named `memberName`.
    static func categories(inString text: String, memberName: String?) -> ComplianceCategorySet {
        var text = text
        var name = memberName ?? ""
        return text.withUTF8 { text in name.withUTF8 { TextScan.categories(in: text, memberName: $0) } }
    }

    /// Calls `report` for every string value with findings, with its path.
    private static func visit(
        _ value: JSONValue,
        steps: inout [JSONPath.Step],
        report: (ComplianceCategorySet, [JSONPath.Step]) -> Void
    ) {
        switch value {
        case .string(let text):
            var memberName: String?
            if case .member(let name) = steps.last {
                memberName = name
            }
            let found = categories(inString: text, memberName: memberName)
            if !found.isEmpty {
                report(found, steps)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                steps.append(.index(index))
                visit(element, steps: &steps, report: report)
                steps.removeLast()
            }
        case .object(let object):
            for member in object.members {
                steps.append(.member(member.name))
                visit(member.value, steps: &steps, report: report)
                steps.removeLast()
            }
        case .null, .bool, .number:
            break
        }
    }
}
