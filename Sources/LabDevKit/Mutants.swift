import SwiftScanner

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
        starterPath: String,
        starter: String,
        referencePath: String,
        reference: String?,
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
        let twins = reference?.counterparts(of: starterDeclarations) ?? [:]
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
                starterPath: starterPath,
                referencePath: referencePath,
                declaration: declaration,
                steps: steps,
                labels: labels,
                reference: twins[index],
                text: text,
                problem: problem
            )
        }
    }

    /// TODOs that no body holds (beside a stored property, say): no mutant can prove them.
    public var strayTODOs: [WorkLabel] {
        starter.workByDeclaration(starter.declarations.filter(\.hasCode)).stray.filter { $0.kind == .todo }
    }
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
