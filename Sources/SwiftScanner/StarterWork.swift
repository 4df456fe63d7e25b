// What a starter leaves for the student, found in its source: the TODO comments and not-implemented markers of each
// body, and the steps they name. Shared by the per-step proof (labdev: a mutant per body) and `make reset` (labcheck:
// the bodies of one step put back), so it is in the student's copy too.

/// The calls a starter puts where the student's work goes (LabSupport's `notImplemented(…)` and
/// `NotImplemented(…)`).
public let notImplementedMarkers: Set<String> = ["notImplemented", "NotImplemented"]

/// A TODO comment or a not-implemented marker, and the steps it names.
public struct WorkLabel: Sendable, Equatable {
    public enum Kind: Sendable { case todo, marker }
    public let kind: Kind
    public let steps: [Int]
    public let line: Int
    /// The comment, or the marker's message.
    public let text: String

    public init(kind: Kind, steps: [Int], line: Int, text: String) {
        self.kind = kind
        self.steps = steps
        self.line = line
        self.text = text
    }
}

extension SwiftSource {
    /// Which TODOs and markers each declaration holds itself (not those of a declaration inside it), and those
    /// that no body holds.
    public func workByDeclaration(_ declarations: [Declaration]) -> (owned: [Int: [WorkLabel]], stray: [WorkLabel]) {
        var labels: [(offset: Int, label: WorkLabel)] = []
        for comment in comments {
            let line = line(of: comment.range.lowerBound)
            for steps in StepLabels.todos(in: comment.text) {
                labels.append(
                    (comment.range.lowerBound, WorkLabel(kind: .todo, steps: steps, line: line, text: comment.text))
                )
            }
        }
        for (index, token) in tokens.enumerated()
        where token.kind == .identifier && notImplementedMarkers.contains(token.text) && index + 1 < tokens.count
            && tokens[index + 1].text == "(" && !(index > 0 && tokens[index - 1].text == ".")
        {
            let message =
                index + 2 < tokens.count && tokens[index + 2].kind == .string ? tokens[index + 2].literal ?? "" : ""
            labels.append(
                (
                    token.range.lowerBound,
                    WorkLabel(
                        kind: .marker,
                        steps: StepLabels.steps(inMessage: message),
                        line: line(of: token.range.lowerBound),
                        text: message
                    )
                )
            )
        }
        var owned: [Int: [WorkLabel]] = [:]
        var stray: [WorkLabel] = []
        for (offset, label) in labels.sorted(by: { $0.offset < $1.offset }) {
            // The innermost body around it: the one that starts last.
            let holder = declarations.indices.filter { declarations[$0].body.contains(offset) }
                .max { declarations[$0].body.lowerBound < declarations[$1].body.lowerBound }
            if let holder { owned[holder, default: []].append(label) } else { stray.append(label) }
        }
        return (owned, stray)
    }

    /// The top-level `import` lines of this file that `other` lacks, as `other` would write them (its name for each
    /// module in `renaming`).
    public func imports(missingFrom other: SwiftSource, renaming: [String: String] = [:]) -> [String] {
        let theirs = Set(other.topLevelImports().map(\.code))
        return topLevelImports().map { renamingModule(in: $0.code, renaming) }.filter { !theirs.contains($0) }
    }

    /// `import Lab5Protocol` as `import Lab5ProtocolSolution`: the module is the first part of the last word.
    private func renamingModule(in statement: String, _ renaming: [String: String]) -> String {
        var words = statement.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let path = words.last else { return statement }
        let module = String(path.prefix { $0 != "." })
        guard let renamed = renaming[module] else { return statement }
        words[words.count - 1] = renamed + path.dropFirst(module.count)
        return words.joined(separator: " ")
    }

    /// `import X` statements outside any `#if`, each as one line of code, with the offset where it starts.
    func topLevelImports() -> [(code: String, offset: Int)] {
        var imports: [(code: String, offset: Int)] = []
        var conditionals = 0
        let parser = DeclarationParser(self)
        for (index, token) in tokens.enumerated() {
            if token.kind == .pound && token.text == "#if" { conditionals += 1 }
            if token.kind == .pound && token.text == "#endif" { conditionals -= 1 }
            guard conditionals == 0, token.kind == .identifier, token.text == "import" else { continue }
            var start = index  // `@testable import X`: the statement starts at its attributes
            while start > 0 && tokens[start - 1].kind == .attribute && !tokens[start].startsLine { start -= 1 }
            guard tokens[start].startsLine else { continue }
            var end = index + 1
            while end < tokens.count && !tokens[end].startsLine && tokens[end].text != ";" { end += 1 }
            imports.append((parser.code(start..<end), tokens[start].range.lowerBound))
        }
        return imports
    }

    /// This file with `declaration`'s body replaced, and `imports` added on the line of its first import (so that
    /// line numbers stay as they were), or on a line of their own at the top.
    public func replacingBody(of declaration: Declaration, with body: [UInt8], adding imports: [String]) -> [UInt8] {
        replacingBodies([(declaration, body)], adding: imports)
    }

    /// This file with each declaration's body replaced (bodies that do not overlap), and `imports` added as
    /// `replacingBody` adds them.
    public func replacingBodies(_ replacements: [(Declaration, [UInt8])], adding imports: [String]) -> [UInt8] {
        var text = bytes
        // From the last body to the first: each replacement leaves the offsets before it as they were.
        for (declaration, body) in replacements.sorted(by: { $0.0.body.lowerBound > $1.0.body.lowerBound }) {
            text.replaceSubrange(declaration.body, with: body)
        }
        guard !imports.isEmpty else { return text }
        let firstBody = replacements.map(\.0.body.lowerBound).min() ?? 0
        if let firstImport = topLevelImports().first, firstImport.offset < firstBody {
            text.insert(contentsOf: Array((imports.joined(separator: "; ") + "; ").utf8), at: firstImport.offset)
        } else {
            text.insert(contentsOf: Array(imports.map { $0 + "\n" }.joined().utf8), at: 0)
        }
        return text
    }

    /// This file's declaration for each of `declarations` (another file's, by index): same scope and header (the n-th
    /// of several alike to the n-th), or failing that the only unmatched one of the same qualified name. How a
    /// starter's function finds its twin in the reference (the per-step proof), or in the student's file (a reset).
    public func counterparts(of declarations: [Declaration]) -> [Int: Declaration] {
        let candidates = self.declarations.filter(\.hasCode)
        var taken = Set<Int>()
        var result: [Int: Declaration] = [:]
        var seen: [String: Int] = [:]
        for (index, declaration) in declarations.enumerated() {
            let key = declaration.scope.joined(separator: ".") + " " + declaration.header
            let occurrence = seen[key, default: 0]
            seen[key] = occurrence + 1
            let alike = candidates.indices.filter {
                candidates[$0].scope.joined(separator: ".") + " " + candidates[$0].header == key
            }
            if occurrence < alike.count {
                result[index] = candidates[alike[occurrence]]
                taken.insert(alike[occurrence])
            }
        }
        for (index, declaration) in declarations.enumerated() where result[index] == nil {
            let named = candidates.indices.filter {
                !taken.contains($0) && candidates[$0].qualifiedName == declaration.qualifiedName
            }
            if named.count == 1 {
                result[index] = candidates[named[0]]
                taken.insert(named[0])
            }
        }
        return result
    }
}
