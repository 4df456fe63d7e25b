import Foundation
import ProcessKit

/// Runs programs for the demo and shows them as a terminal session: `$ command`, then its output, indented.
final class Tour {
    let binDirectory: String
    private(set) var failures: [String] = []
    private var servers: [(name: String, process: ChildProcess)] = []

    init(binDirectory: String) {
        self.binDirectory = binDirectory
    }

    func section(_ title: String, _ explanation: String) {
        print("\n━━ \(title) " + String(repeating: "━", count: max(4, 72 - title.count)))
        print(explanation)
    }

    /// Starts a reference server on a free port, shows its first line, and returns the port.
    func startServer(_ product: String, _ arguments: [String] = []) throws -> Int {
        let line = try startInBackground(product, arguments + ListeningLine.anyPort, until: ListeningLine.prefix)
        guard let port = ListeningLine.port(in: line) else { throw TourError("\(product) printed \(line)") }
        return port
    }

    /// Starts a reference program that keeps running (a server, or a client waiting for its peer), shows the line
    /// starting with `prefix` once it prints it, and returns that line. What it prints later is shown at the end of
    /// the section.
    @discardableResult
    func startInBackground(_ product: String, _ arguments: [String], until prefix: String) throws -> String {
        let process = try startBackground(
            product + "-solution",
            arguments,
            shownAs: shownCommand(product, arguments),
            waitingFor: prefix
        )
        let line = process.waitForLine(timeout: .zero) { $0.hasPrefix(prefix) }!
        print("  " + line)
        return line
    }

    /// Starts a program in the background (a kit tool such as telegram-sandbox, or a reference program with its
    /// `-solution` suffix), shows it as `$ shownAs &`, and waits for its line starting with `prefix`.
    func startBackground(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        shownAs: String,
        waitingFor prefix: String
    ) throws -> ChildProcess {
        print("$ \(shownAs) &")
        let process = try ChildProcess(
            binDirectory + "/" + executable,
            arguments,
            environment: environment,
            timeLimit: .seconds(120)
        )
        servers.append((executable.replacingOccurrences(of: "-solution", with: ""), process))
        guard process.waitForLine(timeout: .seconds(10), where: { $0.hasPrefix(prefix) }) != nil else {
            throw TourError("\(executable) did not start: \(process.standardError)")
        }
        return process
    }

    /// Runs a reference program to its end and shows what it printed; it must succeed unless `expectFailure`.
    @discardableResult
    func run(
        _ product: String,
        _ arguments: [String],
        input: String? = nil,
        expectFailure: Bool = false
    ) throws -> String {
        print("$ " + (input.map { "printf \(printfArgument($0)) | " } ?? "") + shownCommand(product, arguments))
        let finished = try ChildProcess.run(
            binDirectory + "/" + product + "-solution",
            arguments,
            input: input,
            timeout: .seconds(30)
        )
        show(finished.standardOutput + finished.standardError)
        if finished.termination.succeeded == expectFailure {
            throw TourError("\(product) ended with \(finished.termination)")
        }
        return finished.standardOutput
    }

    /// Runs a peer the kit did not write (python3, nc) to show it speaks the same protocol.
    func runPeer(_ command: String, _ arguments: [String], shownAs: String, input: String? = nil) throws {
        print("$ " + shownAs)
        let finished = try ChildProcess.run(command, arguments, input: input, timeout: .seconds(30))
        show(finished.standardOutput + finished.standardError)
        if !finished.termination.succeeded { throw TourError("\(command) ended with \(finished.termination)") }
    }

    func note(_ text: String) {
        print("  # " + text)
    }

    func fail(_ message: String) {
        failures.append(message)
        print("  ✘ \(message)")
    }

    /// Stops the section's servers and shows what they printed meanwhile.
    func endSection() {
        for (name, process) in servers {
            process.stop()
            let lines = process.standardOutput.split(separator: "\n").dropFirst()
            guard !lines.isEmpty else { continue }
            print("  (\(name) printed meanwhile:)")
            show(lines.prefix(12).joined(separator: "\n") + (lines.count > 12 ? "\n…" : ""))
        }
        servers.removeAll()
    }

    /// Shows output, indented under the command that printed it.
    func show(_ output: String) {
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast(
            output.hasSuffix("\n") ? 1 : 0
        ) {
            print("  " + line)
        }
    }

    private func shownCommand(_ product: String, _ arguments: [String]) -> String {
        ([product] + arguments.map { $0.contains(" ") ? "\"\($0)\"" : $0 }).joined(separator: " ")
    }

    /// The text as printf's format in a shell line, to retype as shown: single-quoted, newlines as \n.
    private func printfArgument(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''").replacingOccurrences(of: "\n", with: "\\n") + "'"
    }
}

struct TourError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
