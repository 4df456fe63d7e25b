/// The step numbers a starter's TODO comments and not-implemented markers name.
///
/// A TODO names its steps right after the word: `TODO step 3`, `TODO steps 2 and 4`, `TODO steps 2, 3 and 5`,
/// `TODO steps 2–4` (a range: no space after the dash), `TODO (step 3)`, `TODO: step 3`. A marker's message starts with them:
/// `notImplemented("step 3 — …")`, `NotImplemented("steps 2 and 4 — …")`.
public enum StepLabels {
    /// Each TODO in `comment`, with the steps it names (empty for a TODO that names none). A TODO that names no
    /// step counts only as the comment's first word: "Fill in each TODO" is prose, not a TODO.
    public static func todos(in comment: String) -> [[Int]] {
        var found: [[Int]] = []
        let opening = comment.drop { "/*! \t".contains($0) }
        var rest = Substring(comment)
        while let range = rest.firstRange(of: "TODO") {
            let first = range.lowerBound == opening.startIndex
            let before = rest[..<range.lowerBound].last
            rest = rest[range.upperBound...]
            // A word of its own: not `TODOS` or `myTODO`.
            if let before, before.isLetter || before.isNumber || before == "_" { continue }
            if let after = rest.first, after.isLetter || after.isNumber || after == "_" { continue }
            var text = rest.drop { $0 == " " || $0 == ":" || $0 == "(" || $0 == "-" }
            let steps = steps(atStartOf: &text)
            if !steps.isEmpty || first { found.append(steps) }
        }
        return found
    }

    /// The steps a marker's message names at its start; empty if it names none.
    public static func steps(inMessage message: String) -> [Int] {
        var text = Substring(message).drop { $0 == " " }
        return steps(atStartOf: &text)
    }

    /// Reads `step N` or `steps N, M and K` / `steps N–M` at the start of `text`.
    private static func steps(atStartOf text: inout Substring) -> [Int] {
        let lowercased = text.lowercased()
        let word = lowercased.hasPrefix("steps") ? 5 : lowercased.hasPrefix("step") ? 4 : 0
        guard word > 0 else { return [] }
        text = text.dropFirst(word)
        guard let first = text.first, first == " " || first == "\u{00A0}" else { return [] }
        var steps: [Int] = []
        var pendingRange = false
        while true {
            text = text.drop { $0 == " " || $0 == "\u{00A0}" || $0 == "," }
            let digits = text.prefix { $0.isASCII && $0.isNumber }
            if let number = Int(digits) {
                if pendingRange, let last = steps.last, last < number {
                    steps += Array(last + 1...number)
                } else {
                    steps.append(number)
                }
                pendingRange = false
                text = text.dropFirst(digits.count)
                continue
            }
            guard !steps.isEmpty else { break }
            if let separator = ["and ", "or ", "& ", "+ "].first(where: { text.hasPrefix($0) }) {
                text = text.dropFirst(separator.count)
            } else if let dash = ["–", "-", "to "].first(where: { text.hasPrefix($0) }),
                text.dropFirst(dash.count).first?.isNumber == true  // `2–4`, `2 to 4`; `3 - 4 bytes` is prose
            {
                text = text.dropFirst(dash.count)
                pendingRange = true
            } else {
                break
            }
        }
        return steps
    }
}
