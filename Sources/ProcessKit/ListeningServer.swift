import Foundation

/// How every server of the kit says where it listens: started with `--port 0`, it gets a free port from the system
/// and prints `listening on HOST:PORT` once it accepts connections. The one place that knows the convention, for the
/// checker, the tests, the tour and the benchmark.
public enum ListeningLine {
    /// The arguments that ask a server for a free port.
    public static let anyPort = ["--port", "0"]
    /// How the line starts.
    public static let prefix = "listening on "

    /// Whether `line` is the server's `listening on …` line (well formed or not).
    public static func isListeningLine(_ line: String) -> Bool { line.hasPrefix(prefix) }

    /// `HOST:PORT` of a `listening on HOST:PORT` line: what follows the prefix.
    public static func address(in line: String) -> String? {
        isListeningLine(line) ? String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) : nil
    }

    /// The port of a `listening on HOST:PORT` line (`[::1]:54321` too); nil when the line names none above 0.
    public static func port(in line: String) -> Int? {
        guard let address = address(in: line), let port = address.split(separator: ":").last.flatMap({ Int($0) }),
            port > 0
        else { return nil }
        return port
    }
}

extension ChildProcess {
    /// What a server printed, or did, instead of saying where it listens.
    public enum NotListening: Error, CustomStringConvertible {
        /// It printed a `listening on` line without a port in it.
        case noPort(line: String)
        /// It ended first.
        case ended(Termination, standardError: String)
        /// It printed no such line within the time.
        case silent(Duration, standardError: String)

        public var description: String {
            switch self {
            case .noPort(let line): "printed \"\(line)\", which names no port (\"listening on HOST:PORT\" was expected)"
            case .ended(let ended, let errors): "ended (\(ended)) before saying where it listens" + Self.tail(errors)
            case .silent(let time, let errors):
                "did not print \"listening on HOST:PORT\" within \(time)" + Self.tail(errors)
            }
        }

        private static func tail(_ errors: String) -> String {
            errors.isEmpty ? "" : "; its stderr: " + errors.split(separator: "\n").suffix(5).joined(separator: "\n")
        }
    }

    /// Waits for the server's `listening on HOST:PORT` line; returns the port it names.
    public func waitForListeningPort(timeout: Duration = .seconds(10)) throws(NotListening) -> Int {
        guard let line = waitForLine(timeout: timeout, where: ListeningLine.isListeningLine) else {
            if let ended = waitForExit(timeout: .milliseconds(100)) {
                throw .ended(ended, standardError: standardError)
            }
            throw .silent(timeout, standardError: standardError)
        }
        guard let port = ListeningLine.port(in: line) else { throw .noPort(line: line) }
        return port
    }

    /// Starts one of the kit's servers on a free port (`--port 0` before `arguments`) and waits until it says where
    /// it listens. The server is stopped again if it does not.
    public static func startServer(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        timeLimit: Duration = .seconds(120),
        startTimeout: Duration = .seconds(10)
    ) throws -> (ChildProcess, port: Int) {
        let server = try ChildProcess(
            executable,
            ListeningLine.anyPort + arguments,
            environment: environment,
            timeLimit: timeLimit
        )
        do {
            return (server, try server.waitForListeningPort(timeout: startTimeout))
        } catch {
            server.stop()
            throw ServerDidNotStart(command: server.commandLine, reason: error)
        }
    }
}

/// `ChildProcess.startServer`'s failure: the command, and what happened instead.
public struct ServerDidNotStart: Error, CustomStringConvertible {
    public let command: String
    public let reason: ChildProcess.NotListening
    public var description: String { "\(command) \(reason)" }
}
