import ArgumentParser
import Foundation
import LabCheckKit
import LabDevKit
import ProcessKit

/// `make mutants`: proves, body by body, that each step's check catches its own missing work.
struct MutantsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mutants",
        abstract: "Prove that each starter body's missing work fails the step its TODO names.",
        discussion: """
            For every function, initializer, subscript or accessor under Sources/Lab* whose body holds a TODO or a \
            not-implemented marker, the reference solution is built with only that body put back as the starter \
            has it, and the lab's check is run on it. The check must fail, and the first step to fail must be one \
            the body's TODOs or markers name. Anything else is a survivor; a mutant that does not compile is broken \
            (the two trees disagree). The mutants are built in .build-mutants/, never in your own files.
            """
    )

    @Option(help: "Only this lab.")
    var lab: Int?

    @Flag(help: "List the mutants and the steps they name; build and check nothing.")
    var list = false

    @Option(help: "How many checks run at once, beside the build of the next mutant.")
    var jobs = 2

    func validate() throws {
        if let lab, Lab.numbered(lab) == nil {
            throw ValidationError("there is no lab \(lab): the labs are 1–\(allLabs.count)")
        }
        guard FileManager.default.fileExists(atPath: "Solutions") else {
            throw ValidationError(
                "the proof needs the reference solutions (Solutions/), which this copy of the kit does not have"
            )
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        Children.stopAllOnInterrupt()
        signal(SIGPIPE, SIG_IGN)
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let labs = lab.flatMap(Lab.numbered).map { [$0] } ?? allLabs
        let layout = try PackageLayout.described()
        let plan = try MutantPlan(root: root, labs: labs, layout: layout)

        if list {
            print(ProofReport.listing(plan))
            return
        }
        let proof = Proof(plan: plan, labs: labs, tree: MutantTree(root: root), jobs: jobs)
        guard try proof.run() else { throw ExitCode.failure }
    }
}
