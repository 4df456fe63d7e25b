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
            """
    )

    @Option(help: ArgumentHelp("Run the commands in this file, then exit.", valueName: "file"), completion: .file())
    var script: String?

    @Option(
        name: .customLong("map-port"),
        help: ArgumentHelp(
            "Use port TO wherever a command names port FROM (connect, listen, tg connect); repeatable. make check runs your own checks, which name the lecture's port 65432, this way.",
            valueName: "FROM=TO"
        )
    )
    var mapPort: [String] = []

    func run() throws {
        var portMap: [Int: Int] = [:]
        for pair in mapPort {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let from = Int(parts[0]), let to = Int(parts[1]),
                (1...65535).contains(from), (0...65535).contains(to)
            else {
                throw Failure("--map-port \(pair): write FROM=TO, two ports, as in --map-port 65432=40123")
            }
            portMap[from] = to
        }
        let status = Repl.main(script: script, portMap: portMap)
        if status != 0 { throw ExitCode(status) }
    }
}
