import Foundation
import ProcessKit
import SocketKit
import Synchronization

/// What a step's check works with: the lab's programs (started on demand, always stopped when the step ends) and
/// sockets to talk to them, every action written to the transcript.
public final class Check: Sendable {
    public let lab: Lab
    public let step: Step
    let binDirectory: String
    let solution: Bool
    let transcript: Transcript
    private let started = Mutex<[Program]>([])
    private let sockets = Mutex<[Socket]>([])

    /// How long a check waits for a reply before it calls the peer stuck.
    public static let replyTimeout: Duration = .seconds(3)

    init(lab: Lab, step: Step, binDirectory: String, solution: Bool, transcript: Transcript) {
        self.lab = lab
        self.step = step
        self.binDirectory = binDirectory
        self.solution = solution
        self.transcript = transcript
    }

    // MARK: Programs

    /// Starts one of the lab's programs ("echo-server") with `arguments`, and `environment` added to the checker's
    /// own (a variable set to "" counts as unset for the lab programs). A program that `keepsRunning` (a server)
    /// is reported as having stopped too early if it ends before the step does. `openFileLimit`: the program's own
    /// limit on open descriptors (`.soft(64)`, as if `ulimit -Sn 64`), whatever the checker's is; nil: the checker's.
    public func start(
        _ program: String, _ arguments: [String] = [], environment: [String: String] = [:], keepsRunning: Bool = false,
        openFileLimit: OpenFileLimit? = nil
    ) throws -> Program {
        try launch(lab.product(program, solution: solution), arguments, environment: environment,
                   keepsRunning: keepsRunning, openFileLimit: openFileLimit)
    }

    /// Starts one of the kit's tools the checks need (`telegram-sandbox`), listed in the lab's `tools`.
    public func startTool(_ product: String, _ arguments: [String] = []) throws -> Program {
        try launch(product, arguments, environment: [:], keepsRunning: true)
    }

    private func launch(
        _ product: String, _ arguments: [String], environment: [String: String], keepsRunning: Bool,
        openFileLimit: OpenFileLimit? = nil
    ) throws -> Program {
        let path = binDirectory + "/" + product
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CheckFailure("\(product) is not built (looked in \(binDirectory)): run `make check LAB=\(lab.number)`, which builds it")
        }
        let process = try ChildProcess(
            path, arguments, environment: environment, openFileLimit: openFileLimit, timeLimit: .seconds(60))
        let running = Program(
            name: product, arguments: arguments, process: process, keepsRunning: keepsRunning, transcript: transcript)
        started.withLock { $0.append(running) }
        let variables = environment.keys.sorted().map { "\($0)=… " }.joined()
        let limit = openFileLimit.map { "(\($0)) " } ?? ""
        transcript.log("start \(limit)\(variables)\(product) \(arguments.map(shellQuoted).joined(separator: " ")) (pid \(process.pid))")
        return running
    }

    /// Starts a server with `--port 0` and waits for its `listening on HOST:PORT` line. Returns it and its port.
    public func startServer(_ program: String, _ arguments: [String] = [], openFileLimit: OpenFileLimit? = nil) throws
        -> (Program, port: Int)
    {
        let server = try start(program, ["--port", "0"] + arguments, keepsRunning: true, openFileLimit: openFileLimit)
        let line = try server.waitForLine(
            startingWith: "listening on ", waitingFor: "the line \"listening on HOST:PORT\" that says which port it got")
        guard let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
            port > 0
        else {
            throw CheckFailure(
                "\(server.name) printed \(quoted(line)), but the checker needs \"listening on HOST:PORT\" with the port it got, e.g. \"listening on 127.0.0.1:54321\""
            )
        }
        return (server, port)
    }

    /// Runs one of the lab's programs to its end and returns what it printed.
    public func run(
        _ program: String, _ arguments: [String] = [], environment: [String: String] = [:], input: String? = nil,
        timeout: Duration = .seconds(5)
    ) throws -> Program {
        let running = try start(program, arguments, environment: environment)
        if let input { running.process.write(input) }
        running.process.closeInput()
        try running.waitForExit(timeout: timeout)
        return running
    }

    // MARK: Sockets

    /// Connects to a program under test, like a plain client would.
    public func connect(to port: Int, host: String = "127.0.0.1", label: String = "client") throws -> Peer {
        let socket = try Socket.createConnection((host, port), timeout: Self.seconds(Self.replyTimeout))
        sockets.withLock { $0.append(socket) }
        transcript.log("\(label): connected to \(host):\(port) from \(try socket.getSockName())")
        return Peer(socket: socket, label: label, transcript: transcript)
    }

    /// Listens on a free port on 127.0.0.1, for checks where the checker plays the server.
    public func listen() throws -> Listener {
        let socket = try Socket.createServer(("127.0.0.1", 0))
        sockets.withLock { $0.append(socket) }
        let port = try socket.getSockName().port
        transcript.log("checker listening on 127.0.0.1:\(port)")
        return Listener(socket: socket, port: port, check: self)
    }

    /// A UDP socket on 127.0.0.1, for the datagram steps.
    public func datagramSocket() throws -> Socket {
        let socket = try Socket(.inet, .datagram)
        try socket.bind(("127.0.0.1", 0))
        try socket.setTimeout(Self.seconds(Self.replyTimeout))
        sockets.withLock { $0.append(socket) }
        return socket
    }

    func adopt(_ socket: Socket) {
        sockets.withLock { $0.append(socket) }
    }

    public func note(_ text: String) {
        transcript.log(text)
    }

    // MARK: Ending the step

    var programs: [Program] { started.withLock { $0 } }

    /// Stops every program the step started and closes every socket, whatever happened; logs their output.
    func finish() {
        for socket in sockets.withLock({ $0 }) { socket.close() }
        for program in programs {
            let ended = program.process.stop()
            transcript.log("\(program.name): \(ended)")
            transcript.attach("\(program.name) stdout", program.process.standardOutput)
            transcript.attach("\(program.name) stderr", program.process.standardError)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A lab program started by a check.
public final class Program: Sendable {
    public let name: String
    public let arguments: [String]
    public let process: ChildProcess
    /// A server: it should still be running when the step ends.
    let keepsRunning: Bool
    let transcript: Transcript

    init(name: String, arguments: [String], process: ChildProcess, keepsRunning: Bool, transcript: Transcript) {
        self.name = name
        self.arguments = arguments
        self.process = process
        self.keepsRunning = keepsRunning
        self.transcript = transcript
    }

    /// Why the program is no longer running, if that is news: a crash, an error, or a server that simply ended.
    var whyItStopped: String? {
        guard let ended = termination, ended != .exited(0) || keepsRunning else { return nil }
        let stderr = process.standardError
        let what = ended.isCrash ? "crashed (\(ended))"
            : ended == .exited(0) ? "stopped by itself (exit status 0): a server should go back to accept() for the next client"
            : "stopped with \(ended)"
        return "\(name) \(what)"
            + (stderr.isEmpty ? "" : "; the end of its stderr:\n" + indented(lastLines(stderr), by: "  | "))
    }

    /// The program printed the `--pause` prompt and is waiting for a line on its standard input.
    var isWaitingForEnter: Bool {
        termination == nil && outputLines.last?.contains("Press enter to proceed") == true
    }

    public var output: String { process.standardOutput }
    public var outputLines: [String] {
        output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(output.hasSuffix("\n") ? 1 : 0)
    }

    /// Waits for a line of output that starts with `prefix`; fails saying what was awaited.
    @discardableResult
    public func waitForLine(
        startingWith prefix: String, timeout: Duration = Check.replyTimeout, waitingFor what: String
    ) throws -> String {
        try waitForLine(timeout: timeout, waitingFor: what) { $0.hasPrefix(prefix) }
    }

    @discardableResult
    public func waitForLine(containing text: String, timeout: Duration = Check.replyTimeout, waitingFor what: String)
        throws -> String
    {
        try waitForLine(timeout: timeout, waitingFor: what) { $0.contains(text) }
    }

    private func waitForLine(timeout: Duration, waitingFor what: String, where predicate: (String) -> Bool) throws
        -> String
    {
        if let line = process.waitForLine(timeout: timeout, where: predicate) { return line }
        if let ended = process.waitForExit(timeout: .milliseconds(100)) {
            throw CheckFailure("\(name) ended (\(ended)) before printing \(what)")
        }
        throw CheckFailure(
            "\(name) did not print \(what) within \(Int(Check.seconds(timeout))) s"
                + (output.isEmpty ? " (it printed nothing)" : "; its output so far:\n" + indented(lastLines(output))))
    }

    /// Waits for the program to end by itself; fails if it does not.
    public func waitForExit(timeout: Duration) throws {
        guard process.waitForExit(timeout: timeout) != nil else {
            throw CheckFailure(
                "\(name) was still running after \(Int(Check.seconds(timeout))) s — is it waiting for input, or stuck in recv()?")
        }
    }

    public var termination: Termination? { process.termination }

    /// Writes to the program's standard input (the Enter key for `--pause`).
    public func type(_ text: String) {
        transcript.log("typed into \(name): \(quoted(text))")
        process.write(text)
    }
}

/// A socket the checker listens on, when it plays the server for a student's client.
public final class Listener: Sendable {
    let socket: Socket
    public let port: Int
    let check: Check

    init(socket: Socket, port: Int, check: Check) {
        self.socket = socket
        self.port = port
        self.check = check
    }

    /// Waits for `client`, a program under test, to connect.
    public func accept(from client: Program, timeout: Duration = Check.replyTimeout) throws -> Peer {
        let deadline = ContinuousClock.now + timeout
        let what = ([client.name] + client.arguments.filter { $0.hasPrefix("--") && $0 != "--port" }).joined(separator: " ")
        // Wait in short slices, so that a client that has already ended fails the check at once.
        try socket.setTimeout(0.05)
        while true {
            if let ended = client.termination {
                throw CheckFailure("\(what) ended (\(ended)) without connecting to the checker")
            }
            do {
                return try acceptOne()
            } catch let error as SocketError where error.isTimeout && ContinuousClock.now < deadline {
                continue
            } catch let error as SocketError where error.isTimeout {
                throw CheckFailure(
                    "\(what) did not connect within \(Int(Check.seconds(timeout))) s — does it call connect() with the --host and --port it was given?")
            }
        }
    }

    private func acceptOne() throws -> Peer {
        let (connection, address) = try socket.accept()
        try connection.setTimeout(Check.seconds(Check.replyTimeout))
        check.adopt(connection)
        check.note("server: accepted a connection from \(address)")
        return Peer(socket: connection, label: "server", transcript: check.transcript)
    }
}

/// A word as a shell would need it: `--name "Lee, Mong"`.
func shellQuoted(_ word: String) -> String {
    word.isEmpty || word.contains(where: { " '\"\\$`!*?;&|<>()".contains($0) }) ? "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" : word
}

func indented(_ text: String, by prefix: String = "    ") -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
}

func lastLines(_ text: String, count: Int = 8) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    let shown = lines.suffix(count).map(String.init)
    return ((lines.count > count ? ["…"] : []) + shown).joined(separator: "\n")
}
