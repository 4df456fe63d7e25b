import ArgumentParser
import LabSupport

/// The instructor's tool: proofs about the kit itself, run by `make mutants` and CI. (A `LabCommand`, so that its
/// lines reach a CI log as they are printed.)
@main
struct LabDev: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "labdev",
        abstract:
            "Instructor tools: prove the labs' checks and the kit's consistency; make the student copy and prove it.",
        subcommands: [
            MutantsCommand.self, CheckMutantCommand.self, ConsistencyCommand.self, StudentKitCommand.self,
            StudentKitTestCommand.self,
        ]
    )
}
