import ArgumentParser
import LabSupport
import ReplKit

/// Netcat with memory and manners: connect to servers or listen for clients, and play one side of a
/// conversation by hand.
@main
struct LabRepl: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "labrepl",
        abstract: "Drive TCP peers by hand: connect, listen, send, and watch what comes back.",
        discussion: """
            On a terminal, labrepl is interactive: type help. With standard input from a file or a pipe, or \
            with --script, it runs the commands in order without prompts and exits with status 1 if any failed \
            (a failed expect included).
            """)

    @Option(help: ArgumentHelp("Run the commands in this file, then exit.", valueName: "file"), completion: .file())
    var script: String?

    func run() throws {
        let status = Repl.main(script: script)
        if status != 0 { throw ExitCode(status) }
    }
}
