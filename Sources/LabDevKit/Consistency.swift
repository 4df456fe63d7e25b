import Foundation
import SwiftScanner

/// The kit's tree agrees with itself (rustlings' `dev check`, for this kit): what `labdev consistency` proves.
///
/// - Each lab program is listed once in `Package.swift` (`labPrograms`, as products `labN-name` and
///   `labN-name-solution`) and once in its lab's checks (`Lab.programs`), and the two lists are the same.
/// - Every folder under `Sources/`, `Solutions/` and `Tests/` is a target of the package: no stray folder.
/// - `Solutions/X` and `Sources/X` mirror each other file for file, and code the starter gives whole (a body with no
///   TODO and no not-implemented marker) is the reference's, byte for byte: the student is given the code the
///   reference runs.
/// - Every step has a hint, a TODO or marker in the lab's starter code that names it (or a reason why none can),
///   and its anchor `id="step-N"` in the lab's handout; the handout has no anchor for a step that does not exist.
public enum Consistency {
    /// One lab as its checks describe it, with its handout and starter code.
    public struct LabFacts: Sendable {
        public let number: Int
        public let programs: [String]
        /// Each step's number and first hint.
        public let steps: [(number: Int, hint: String)]
        public let handoutPath: String
        /// Nil when the handout is missing.
        public let handout: String?
        /// The lab's starter files (`Sources/LabN…/…swift`), path → text.
        public let starterFiles: [String: String]
        /// Steps no TODO can name, and why (a step that checks what the student runs, not what they write).
        public let provenOtherwise: [Int: String]

        public init(
            number: Int,
            programs: [String],
            steps: [(number: Int, hint: String)],
            handoutPath: String,
            handout: String?,
            starterFiles: [String: String],
            provenOtherwise: [Int: String] = [:]
        ) {
            self.number = number
            self.programs = programs
            self.steps = steps
            self.handoutPath = handoutPath
            self.handout = handout
            self.starterFiles = starterFiles
            self.provenOtherwise = provenOtherwise
        }
    }

    // MARK: The lab programs

    /// `Package.swift`'s lab products (`products`: every product name, the kit's tools among them) against the
    /// labs' own lists.
    public static func programProblems(products: Set<String>, labs: [LabFacts]) -> [String] {
        var problems: [String] = []
        var listed: [String: Int] = [:]
        for lab in labs {
            for program in lab.programs {
                let product = "lab\(lab.number)-\(program)"
                listed[product, default: 0] += 1
                if !products.contains(product) {
                    problems.append(
                        "lab \(lab.number)'s checks run \(program), but Package.swift has no product \(product) (labPrograms)"
                    )
                }
                if !products.contains(product + "-solution") {
                    problems.append(
                        "Package.swift has no reference product \(product)-solution for lab \(lab.number)'s \(program)"
                    )
                }
            }
        }
        for (product, count) in listed where count > 1 {
            problems.append("\(product) is listed \(count) times in the labs' checks")
        }
        let labProduct = #/^lab[0-9]+-/#
        for product in products.sorted() where product.contains(labProduct) && !product.hasSuffix("-solution") {
            if listed[product] == nil {
                problems.append("Package.swift builds \(product), but no lab's checks list it (Lab.programs)")
            }
        }
        return problems
    }

    // MARK: The tree

    /// Folders directly under `Sources/`, `Solutions/` and `Tests/` that are no target's folder.
    public static func strayFolders(_ folders: [String], targetPaths: Set<String>) -> [String] {
        folders.filter { !targetPaths.contains($0) }.sorted().map {
            "\($0) is no target of Package.swift: a folder left behind, or a target not declared"
        }
    }

    /// A reference module's files against its starter's, file for file, and the code the starter gives against
    /// the reference's. `starter`/`reference`: file name → text.
    public static func mirrorProblems(
        starterFolder: String,
        starter: [String: String],
        referenceFolder: String,
        reference: [String: String]
    ) -> [String] {
        var problems: [String] = []
        for name in Set(starter.keys).union(reference.keys).sorted() {
            let starterPath = starterFolder + "/" + name
            let referencePath = referenceFolder + "/" + name
            guard let starterText = starter[name] else {
                problems.append("\(referencePath) has no starter twin \(starterPath)")
                continue
            }
            guard let referenceText = reference[name] else {
                problems.append("\(starterPath) has no reference twin \(referencePath)")
                continue
            }
            let file = MirroredFile(
                starterPath: starterPath,
                starter: starterText,
                referencePath: referencePath,
                reference: referenceText
            )
            problems += file.givenDifferences.map { difference in
                switch difference {
                case .missing(let declaration):
                    "\(starterPath):\(declaration.line): \(declaration.qualifiedName) is given whole (no TODO), but \(referencePath) has no such declaration"
                case .differs(let given, let twin):
                    "\(starterPath):\(given.line): \(given.qualifiedName) is given whole (no TODO), but differs from \(referencePath):\(twin.line): a student must be given the code the reference runs"
                }
            }
            if file.givenDifferences.isEmpty, let line = file.firstGivenLineMissingFromReference {
                problems.append(
                    "\(starterPath):\(line.line): the starter gives `\(line.code)`, which \(referencePath) does not have (in this order): a student must be given the code the reference runs"
                )
            }
        }
        return problems
    }

    // MARK: Steps

    /// Each step's hint, TODO and handout anchor.
    public static func stepProblems(_ lab: LabFacts) -> [String] {
        var problems: [String] = []
        var named = Set<Int>()
        for (_, text) in lab.starterFiles {
            let source = SwiftSource(text)
            let work = source.workByDeclaration(source.declarations.filter(\.hasCode))
            for label in work.owned.values.joined() + work.stray { named.formUnion(label.steps) }
        }
        let numbers = Set(lab.steps.map(\.number))
        for step in lab.steps {
            let id = "lab \(lab.number) step \(step.number)"
            if step.hint.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append("\(id) has no hint")
            }
            if !named.contains(step.number) && lab.provenOtherwise[step.number] == nil {
                problems.append("\(id): no TODO or not-implemented marker in lab \(lab.number)'s starter code names it")
            }
            if named.contains(step.number), lab.provenOtherwise[step.number] != nil {
                problems.append("\(id) is listed as proven otherwise, but a TODO names it: take it off the list")
            }
        }
        for step in Set(named).subtracting(numbers).sorted() {
            problems.append("lab \(lab.number)'s starter code names step \(step), which its checks do not have")
        }
        guard let handout = lab.handout else {
            return problems + ["lab \(lab.number)'s handout \(lab.handoutPath) is missing"]
        }
        let anchors = Self.anchors(in: handout)
        for step in lab.steps.map(\.number) {
            let count = anchors.filter { $0 == step }.count
            if count != 1 {
                problems.append(
                    "\(lab.handoutPath) has \(count == 0 ? "no" : "\(count)") anchor\(count == 0 ? "" : "s") id=\"step-\(step)\" (failures link there)"
                )
            }
        }
        for step in Set(anchors).subtracting(numbers).sorted() {
            problems.append(
                "\(lab.handoutPath) has an anchor id=\"step-\(step)\", but lab \(lab.number) has no step \(step)"
            )
        }
        return problems
    }

    /// The step numbers of a handout's `id="step-N"` anchors, once per anchor.
    static func anchors(in handout: String) -> [Int] {
        handout.matches(of: #/id="step-([0-9]+)"/#).compactMap { Int($0.output.1) }
    }
}

extension MirroredFile {
    /// How code the starter gives whole differs from the reference.
    public enum GivenDifference: Sendable, Equatable {
        /// The reference has no counterpart.
        case missing(Declaration)
        /// The reference's counterpart has another body.
        case differs(given: Declaration, reference: Declaration)
    }

    /// The starter's bodies that hold no work (no TODO or marker anywhere in them, nested bodies included) and are
    /// not the reference's, byte for byte. The outermost such body is reported, not each one inside it.
    public var givenDifferences: [GivenDifference] {
        guard let reference else { return [] }
        let declarations = starter.declarations.filter(\.hasCode)
        let work = starter.workByDeclaration(declarations)
        let bodiesWithWork = work.owned.keys.map { declarations[$0].body }
        let twins = reference.counterparts(of: declarations)
        var reported: [Range<Int>] = []
        var differences: [GivenDifference] = []
        for (index, declaration) in declarations.enumerated() {
            // Given: neither it nor any body inside it holds work.
            let holdsWork = bodiesWithWork.contains {
                declaration.body.lowerBound <= $0.lowerBound && $0.upperBound <= declaration.body.upperBound
            }
            guard !holdsWork, !reported.contains(where: { $0.contains(declaration.body.lowerBound) }) else { continue }
            guard let twin = twins[index] else {
                differences.append(.missing(declaration))
                reported.append(declaration.body)
                continue
            }
            if Array(starter.bytes[declaration.body]) != Array(reference.bytes[twin.body]) {
                differences.append(.differs(given: declaration, reference: twin))
                reported.append(declaration.body)
            }
        }
        return differences
    }
}

extension MirroredFile {
    /// A line of code the starter gives, outside every body with work in it, that the reference does not have in
    /// the same order (a stored property, a case, a command's configuration): nil when the reference has them all.
    /// The reference may have more (the state and helpers the student adds), and the starter may import modules
    /// the reference does not (LabSupport, for its not-implemented markers). Comments and spacing do not count.
    public var firstGivenLineMissingFromReference: (line: Int, code: String)? {
        guard let reference else { return nil }
        let declarations = starter.declarations.filter(\.hasCode)
        let work = starter.workByDeclaration(declarations)
        let twins = reference.counterparts(of: declarations)
        let starterLines = codeLines(of: starter, cutting: work.owned.keys.map { declarations[$0].body })
        let referenceLines = codeLines(of: reference, cutting: work.owned.keys.compactMap { twins[$0]?.body })
        let referenceImports = Set(referenceLines.map(\.code).filter { $0.hasPrefix("import ") })
        var next = referenceLines.startIndex
        for line in starterLines where !(line.code.hasPrefix("import ") && !referenceImports.contains(line.code)) {
            guard let found = referenceLines[next...].firstIndex(where: { $0.code == line.code }) else { return line }
            next = found + 1
        }
        return nil
    }

    /// The file's code, line by line, comments and spacing left out, each of `bodies` as `{ … }`, and each
    /// reference module under its starter's name.
    private func codeLines(of source: SwiftSource, cutting bodies: [Range<Int>]) -> [(line: Int, code: String)] {
        let starterNames = Dictionary(referenceModuleNames.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [(line: Int, code: String)] = []
        var inBody = false
        var afterBody = false
        var previousToken = -1
        for token in source.tokens {
            defer { previousToken = token.range.lowerBound }
            if bodies.contains(where: { $0.contains(token.range.lowerBound) }) {
                if !inBody, !lines.isEmpty { lines[lines.count - 1].code += " …" }
                inBody = true
                continue
            }
            // A body that holds only its TODO comments has no token: it was passed over all the same.
            if !inBody, !lines.isEmpty,
                bodies.contains(where: { previousToken < $0.lowerBound && $0.upperBound <= token.range.lowerBound })
            {
                lines[lines.count - 1].code += " …"
                inBody = true
            }
            // A cut body's closing brace stays on its opening line, wherever the file has it: `{ … }`.
            let closesBody = inBody
            inBody = false
            defer { afterBody = closesBody }
            let text = starterNames[token.text] ?? token.text
            if (token.startsLine && !closesBody) || afterBody || lines.isEmpty {
                lines.append((source.line(of: token.range.lowerBound), text))
            } else {
                lines[lines.count - 1].code += " " + text
            }
        }
        return lines
    }
}
