/// The calls a starter puts where the student's work goes (LabSupport's `notImplemented(…)` and
/// `NotImplemented(…)`).
public let notImplementedMarkers: Set<String> = ["notImplemented", "NotImplemented"]

/// A starter file and its reference twin, and the mutants they make: for each starter body that holds a TODO or a
/// not-implemented marker, the reference file with only that body put back as the starter has it.
public struct MirroredFile: Sendable {
    /// Paths as the report shows them: `Sources/Lab3EchoServer/EchoServer.swift`, `Solutions/…`.
    public let starterPath: String
    public let referencePath: String
    public let starter: SwiftSource
    /// Nil when the reference has no such file.
    public let reference: SwiftSource?
    /// The reference's name of each starter module that has a twin (`Lab5Protocol` → `Lab5ProtocolSolution`): a
    /// starter's `import Lab5Protocol` is the reference's `import Lab5ProtocolSolution`.
    public let referenceModuleNames: [String: String]

    public init(
        starterPath: String, starter: String, referencePath: String, reference: String?,
        referenceModuleNames: [String: String] = [:]
    ) {
        self.starterPath = starterPath
        self.referencePath = referencePath
        self.starter = SwiftSource(starter)
        self.reference = reference.map(SwiftSource.init)
        self.referenceModuleNames = referenceModuleNames
    }

    /// One mutant per starter body with work left in it, in the order of the starter file.
    public var mutants: [Mutant] {
        let starterDeclarations = starter.declarations.filter(\.hasCode)
        let work = starter.workByDeclaration(starterDeclarations)
        let twins = reference.map { counterparts(of: starterDeclarations, in: $0) } ?? [:]
        return starterDeclarations.indices.compactMap { index -> Mutant? in
            guard let labels = work.owned[index] else { return nil }
            let declaration = starterDeclarations[index]
            let starterBody = Array(starter.bytes[declaration.body])
            var problem: Mutant.Problem?
            var text: [UInt8]?
            if let reference, let twin = twins[index] {
                if Array(reference.bytes[twin.body]) == starterBody {
                    problem = .sameAsReference
                } else {
                    let imports = starter.imports(missingFrom: reference, renaming: referenceModuleNames)
                    text = reference.replacingBody(of: twin, with: starterBody, adding: imports)
                }
            } else {
                problem = reference == nil ? .noReferenceFile : .noCounterpart
            }
            let steps = Set(labels.flatMap(\.steps)).sorted()
            if steps.isEmpty && problem == nil { problem = .namesNoStep }
            return Mutant(
                starterPath: starterPath, referencePath: referencePath, declaration: declaration,
                steps: steps, labels: labels, reference: twins[index], text: text, problem: problem)
        }
    }

    /// TODOs that no body holds (beside a stored property, say): no mutant can prove them.
    public var strayTODOs: [WorkLabel] {
        starter.workByDeclaration(starter.declarations.filter(\.hasCode)).stray.filter { $0.kind == .todo }
    }

    /// The reference declaration of each starter declaration: same scope and header (the n-th of several alike to the
    /// n-th), or failing that the only unmatched one of the same qualified name.
    func counterparts(of declarations: [Declaration], in reference: SwiftSource) -> [Int: Declaration] {
        let candidates = reference.declarations.filter(\.hasCode)
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

/// A TODO comment or a not-implemented marker, and the steps it names.
public struct WorkLabel: Sendable, Equatable {
    public enum Kind: Sendable { case todo, marker }
    public let kind: Kind
    public let steps: [Int]
    public let line: Int
    /// The comment, or the marker's message.
    public let text: String
}

/// The reference file with one body put back as the starter has it.
public struct Mutant: Sendable {
    public enum Problem: Sendable, Equatable {
        /// The reference has no file at the mirrored path.
        case noReferenceFile
        /// The reference file has no declaration of that scope and header.
        case noCounterpart
        /// The starter's body is the reference's: nothing to revert.
        case sameAsReference
        /// The body's TODOs and markers name no step.
        case namesNoStep
    }

    public let starterPath: String
    public let referencePath: String
    /// The declaration in the starter.
    public let declaration: Declaration
    /// The steps the body's TODOs and markers name, in order.
    public let steps: [Int]
    public let labels: [WorkLabel]
    /// Its twin in the reference.
    public let reference: Declaration?
    /// The reference file's text with the body reverted; nil when there is a problem.
    public let text: [UInt8]?
    public let problem: Problem?

    /// `EchoServer.swift:EchoServer.echo(_:)`, for tables.
    public var label: String {
        "\(starterPath.split(separator: "/").last ?? ""):\(declaration.qualifiedName)"
    }
}

extension SwiftSource {
    /// Which TODOs and markers each declaration holds itself (not those of a declaration inside it), and those
    /// that no body holds.
    func workByDeclaration(_ declarations: [Declaration]) -> (owned: [Int: [WorkLabel]], stray: [WorkLabel]) {
        var labels: [(offset: Int, label: WorkLabel)] = []
        for comment in comments {
            let line = line(of: comment.range.lowerBound)
            for steps in StepLabels.todos(in: comment.text) {
                labels.append((comment.range.lowerBound, WorkLabel(kind: .todo, steps: steps, line: line, text: comment.text)))
            }
        }
        for (index, token) in tokens.enumerated()
        where token.kind == .identifier && notImplementedMarkers.contains(token.text) && index + 1 < tokens.count
            && tokens[index + 1].text == "(" && !(index > 0 && tokens[index - 1].text == ".")
        {
            let message = index + 2 < tokens.count && tokens[index + 2].kind == .string ? tokens[index + 2].literal ?? "" : ""
            labels.append((token.range.lowerBound, WorkLabel(
                kind: .marker, steps: StepLabels.steps(inMessage: message), line: line(of: token.range.lowerBound),
                text: message)))
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
    func imports(missingFrom other: SwiftSource, renaming: [String: String] = [:]) -> [String] {
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
    func replacingBody(of declaration: Declaration, with body: [UInt8], adding imports: [String]) -> [UInt8] {
        var text = bytes
        text.replaceSubrange(declaration.body, with: body)
        guard !imports.isEmpty else { return text }
        if let firstImport = topLevelImports().first, firstImport.offset < declaration.body.lowerBound {
            text.insert(contentsOf: Array((imports.joined(separator: "; ") + "; ").utf8), at: firstImport.offset)
        } else {
            text.insert(contentsOf: Array(imports.map { $0 + "\n" }.joined().utf8), at: 0)
        }
        return text
    }
}
