import ArgumentParser
import LabSupport

/// The instructor's tool: proofs about the kit itself, run by `make mutants` and CI. (A `LabCommand`, so that its
/// lines reach a CI log as they are printed.)
@main
struct LabDev: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "labdev",
        abstract: "Instructor tools: prove that the labs' checks catch missing work.",
        subcommands: [MutantsCommand.self, CheckMutantCommand.self])
}
