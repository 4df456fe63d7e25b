import Foundation
import LabSupport
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
    /// The step's actions as data, for the replay script (and captures).
    public let recording = Recording()
    private let started = Mutex<[Program]>([])
    private let sockets = Mutex<[Socket]>([])
    /// The step's peers, which send what their chaos held back before any of them waits.
    let peers = PeerGroup()
    private let replayCommands = Mutex<[String]?>(nil)
    private let preparationCommands = Mutex<[String]>([])
    private let caveatTexts = Mutex<[String]>([])

    /// How long a check waits for a reply before it calls the peer stuck.
    public static let replyTimeout: Duration = .seconds(3)

    /// The seed the step's chaos and drawn values come from (`make check … SEED=s` replays it).
    public let seed: UInt64
    private let values: Mutex<SeededRandom>
    /// The step drew from its seed (a chaotic peer, or a drawn value): a failure then says which seed it was.
    let usedSeed = Atomic<Bool>(false)

    init(lab: Lab, step: Step, binDirectory: String, solution: Bool, transcript: Transcript, seed: UInt64 = 0) {
        self.lab = lab
        self.step = step
        self.binDirectory = binDirectory
        self.solution = solution
        self.transcript = transcript
        self.seed = seed
        values = Mutex(SeededRandom(seed: seed))
    }

    /// A value drawn from the step's seed: the same seed draws the same values, in the same order.
    public func draw<T>(_ body: (inout SeededRandom) -> T) -> T {
        usedSeed.store(true, ordering: .relaxed)
        return values.withLock { body(&$0) }
    }

    // MARK: Programs

    /// Starts one of the lab's programs ("echo-server") with `arguments`, and `environment` added to the checker's
    /// own (a variable set to "" counts as unset for the lab programs). A program that `keepsRunning` (a server)
    /// is reported as having stopped too early if it ends before the step does. A run the check makes go wrong on
    /// purpose says so in `deliberately` ("with a wrong token"): the transcript labels it, and its ending is the
    /// check's business, never reported as the student's failure. `openFileLimit`: the program's own limit on open
    /// descriptors (`.soft(64)`, as if `ulimit -Sn 64`), whatever the checker's is; nil: the checker's.
    public func start(
        _ program: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        keepsRunning: Bool = false,
        openFileLimit: OpenFileLimit? = nil,
        deliberately purpose: String? = nil
    ) throws -> Program {
        recording.record(.started(program: program, arguments: arguments))
        return try launch(
            lab.product(program, solution: solution),
            arguments,
            environment: environment,
            keepsRunning: keepsRunning,
            openFileLimit: openFileLimit,
            purpose: purpose
        )
    }

    /// Starts one of the kit's tools the checks need (`telegram-sandbox`), listed in the lab's `tools`.
    public func startTool(_ product: String, _ arguments: [String] = []) throws -> Program {
        try launch(product, arguments, environment: [:], keepsRunning: true)
    }

    private func launch(
        _ product: String,
        _ arguments: [String],
        environment: [String: String],
        keepsRunning: Bool,
        openFileLimit: OpenFileLimit? = nil,
        purpose: String? = nil
    ) throws -> Program {
        let path = binDirectory + "/" + product
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CheckFailure(
                "\(product) is not built (looked in \(binDirectory)): run `make check LAB=\(lab.number)`, which builds it"
            )
        }
        let process = try ChildProcess(
            path,
            arguments,
            environment: environment,
            openFileLimit: openFileLimit,
            timeLimit: .seconds(60)
        )
        let running = Program(
            name: product,
            arguments: arguments,
            process: process,
            keepsRunning: keepsRunning,
            purpose: purpose,
            transcript: transcript,
            recording: recording,
            peers: peers,
            usesSockets: lab.usesSockets
        )
        started.withLock { $0.append(running) }
        let variables = environment.keys.sorted().map { "\($0)=… " }.joined()
        let limit = openFileLimit.map { "(\($0)) " } ?? ""
        transcript.log(
            "start \(limit)\(variables)\(product) \(arguments.map(shellQuoted).joined(separator: " ")) (pid \(process.pid))"
                + (purpose.map { ", deliberately \($0)" } ?? "")
        )
        return running
    }

    /// Starts a server with `--port 0` and waits for its `listening on HOST:PORT` line. Returns it and its port.
    public func startServer(
        _ program: String,
        _ arguments: [String] = [],
        openFileLimit: OpenFileLimit? = nil
    ) throws
        -> (Program, port: Int)
    {
        let server = try start(
            program,
            ListeningLine.anyPort + arguments,
            keepsRunning: true,
            openFileLimit: openFileLimit
        )
        let line = try server.waitForLine(
            startingWith: ListeningLine.prefix,
            waitingFor: "the line \"listening on HOST:PORT\" that says which port it got"
        )
        guard let port = ListeningLine.port(in: line) else {
            throw CheckFailure(
                "\(server.name) printed \(quoted(line)), but the checker needs \"listening on HOST:PORT\" with the port it got, e.g. \"listening on 127.0.0.1:54321\""
            )
        }
        recording.record(.listening(program: program, port: port))
        return (server, port)
    }

    /// Runs one of the lab's programs to its end and returns what it printed. A program still running after
    /// `timeout` fails the check, unless `requireExit` is false: then it is stopped, and the check judges what it
    /// printed so far (`Program.ranOutOfTime` says so) — a dialogue whose first lines are right passes those steps.
    public func run(
        _ program: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        input: String? = nil,
        timeout: Duration = .seconds(5),
        requireExit: Bool = true
    ) throws -> Program {
        let running = try start(program, arguments, environment: environment)
        if let input { running.process.write(input) }
        running.process.closeInput()
        if requireExit {
            try running.waitForExit(timeout: timeout)
        } else if running.process.waitForExit(timeout: timeout) == nil {
            running.ranOutOfTime.store(true, ordering: .relaxed)
            running.process.stop()
            transcript.log("\(running.name) was still running after \(Check.describe(timeout)): stopped")
        }
        return running
    }

    // MARK: Sockets

    /// Connects to a program under test, like a plain client would. A `chaotic` peer delivers what it sends cut,
    /// paused and coalesced by the step's seed (see `Chaos`): for programs that must read a stream, not messages.
    public func connect(
        to port: Int,
        host: String = "127.0.0.1",
        label: String = "client",
        chaotic: Bool = false
    )
        throws -> Peer
    {
        let socket: Socket
        do {
            socket = try Socket.createConnection((host, port), timeout: Self.seconds(Self.replyTimeout))
        } catch {
            let connection = recording.newConnection()
            recording.record(.connectFailed(connection: connection, label: label, port: port, reason: "\(error)"))
            throw error
        }
        sockets.withLock { $0.append(socket) }
        return try peer(connectedBy: socket, label: label, port: port, chaotic: chaotic)
    }

    /// Connects to a program listening on a Unix domain socket at `path` (lab 3's `--unix PATH`).
    public func connect(toUnixSocket path: String, label: String = "client", chaotic: Bool = false) throws -> Peer {
        let socket = try Socket(.unix, .stream)
        sockets.withLock { $0.append(socket) }
        try socket.setTimeout(Self.seconds(Self.replyTimeout))
        try socket.connect(path)
        return try peer(connectedBy: socket, label: label, port: 0, chaotic: chaotic)
    }

    private func peer(connectedBy socket: Socket, label: String, port: Int, chaotic: Bool) throws -> Peer {
        let (local, remote) = (try socket.getSockName(), try socket.getPeerName())
        transcript.log("\(label): connected to \(remote) from \(local)")
        let connection = recording.newConnection()
        recording.record(.connected(connection: connection, label: label, port: port, local: local, remote: remote))
        return Peer(
            socket: socket,
            label: label,
            transcript: transcript,
            recording: recording,
            connection: connection,
            chaos: try chaos(for: socket, connection: connection, chaotic: chaotic),
            group: peers
        )
    }

    /// Listens on a free port on `host` (127.0.0.1 unless a step needs another: "::1"), for checks where the checker
    /// plays the server.
    public func listen(on host: String = "127.0.0.1") throws -> Listener {
        let socket = try Socket.createServer((host, 0))
        sockets.withLock { $0.append(socket) }
        let address = try socket.getSockName()
        transcript.log("checker listening on \(address)")
        recording.record(.checkerListening(host: address.host, port: address.port))
        return Listener(socket: socket, port: address.port, check: self)
    }

    /// A UDP socket on 127.0.0.1, for the datagram steps.
    public func datagramSocket() throws -> Socket {
        let socket = try Socket(.inet, .datagram)
        try socket.bind(("127.0.0.1", 0))
        try socket.setTimeout(Self.seconds(Self.replyTimeout))
        sockets.withLock { $0.append(socket) }
        return socket
    }

    /// The chaos schedule of a new connection (with Nagle's algorithm off, so that pieces leave as they are cut).
    func chaos(for socket: Socket, connection: Int, chaotic: Bool) throws -> Chaos? {
        guard chaotic else { return nil }
        if socket.family != .unix { try socket.setSockOpt(.noDelay, true) }  // a Unix socket has no Nagle to turn off
        usedSeed.store(true, ordering: .relaxed)
        transcript.log("connection \(connection) is chaotic: seed \(seed)")
        return Chaos(seed: seed, connection: connection)
    }

    func adopt(_ socket: Socket) {
        sockets.withLock { $0.append(socket) }
    }

    public func note(_ text: String) {
        transcript.log(text)
    }

    /// How to replay this step by hand, for checks whose conversation the recording cannot replay (a Telegram chat
    /// through the sandbox): one command or instruction per line, shown after a failure.
    public func replay(_ commands: [String]) {
        replayCommands.withLock { $0 = commands }
    }

    var replayOverride: [String]? { replayCommands.withLock { $0 } }

    /// Something the check set up on the machine before it ran a program (a file where a socket should go): said in
    /// the transcript, and the shell `command` that does the same comes first in the step's replay.
    public func prepared(_ what: String, command: String) {
        transcript.log(what)
        preparationCommands.withLock { $0.append(command) }
    }

    var preparations: [String] { preparationCommands.withLock { $0 } }

    /// Something this check could not see on this machine: in the transcript, and under the step's ✔ if it passes.
    public func caveat(_ text: String) {
        transcript.log(text)
        caveatTexts.withLock { $0.append(text) }
    }

    var caveats: [String] { caveatTexts.withLock { $0 } }

    // MARK: Ending the step

    var programs: [Program] { started.withLock { $0 } }

    /// Stops every program the step started and closes every socket, whatever happened; logs their output.
    /// Programs stop in the reverse of their start order: clients before the servers (and the sandbox) they use,
    /// so that no program's last words are about a server that vanished first.
    func finish() {
        peers.removeAll()
        for socket in sockets.withLock({ $0 }) { socket.close() }
        for program in programs.reversed() {
            let ended = program.process.stop()
            transcript.log("\(program.label): \(ended)")
            transcript.attach("\(program.label) stdout", program.process.standardOutput)
            transcript.attach("\(program.label) stderr", program.process.standardError)
        }
    }

    /// "3 s", "0.5 s": a duration as a message says it.
    public static func describe(_ duration: Duration) -> String {
        let value = seconds(duration)
        return (value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)) + " s"
    }

    static func seconds(_ duration: Duration) -> Double {
        duration / .seconds(1)
    }
}

/// A lab program started by a check.
public final class Program: Sendable {
    public let name: String
    public let arguments: [String]
    public let process: ChildProcess
    /// A server: it should still be running when the step ends.
    let keepsRunning: Bool
    /// What the check made go wrong on purpose in this run ("with a wrong token"), if anything.
    public let purpose: String?
    let transcript: Transcript
    let recording: Recording
    /// The step's peers: what a chaotic one held back goes out before the check waits for this program.
    let peers: PeerGroup
    /// The lab talks over sockets: a program that hangs may be stuck in recv() (lab 1 has no sockets).
    let usesSockets: Bool
    /// `Check.run(requireExit: false)` stopped it after its time: its output ends where it got stuck.
    public let ranOutOfTime = Atomic<Bool>(false)
    /// The check sent it a signal on purpose (`signal(_:as:)`): how it ended is the check's to judge.
    let signalledByCheck = Atomic<Bool>(false)

    init(
        name: String,
        arguments: [String],
        process: ChildProcess,
        keepsRunning: Bool,
        purpose: String? = nil,
        transcript: Transcript,
        recording: Recording,
        peers: PeerGroup,
        usesSockets: Bool
    ) {
        self.purpose = purpose
        self.recording = recording
        self.peers = peers
        self.name = name
        self.arguments = arguments
        self.process = process
        self.keepsRunning = keepsRunning
        self.transcript = transcript
        self.usesSockets = usesSockets
    }

    /// The program's name, with what the check made go wrong in this run, if anything.
    var label: String { purpose.map { "\(name) (deliberately \($0))" } ?? name }

    /// Why the program is no longer running, if that is news: a crash, an error, or a server that simply ended.
    /// Never for a run the check made go wrong on purpose: its ending is the check's business.
    var whyItStopped: String? {
        guard purpose == nil, let ended = termination, ended != .exited(0) || keepsRunning,
            !ranOutOfTime.load(ordering: .relaxed),  // the checker stopped it, and has said why
            !signalledByCheck.load(ordering: .relaxed)
        else { return nil }
        let stderr = process.standardError
        let what =
            ended.isCrash
            ? "crashed (\(ended))"
            : ended == .exited(0)
                ? "stopped by itself (exit status 0): a server should go back to accept() for the next client"
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
        output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(
            output.hasSuffix("\n") ? 1 : 0
        )
    }

    /// Waits for a line of output that starts with `prefix`; fails saying what was awaited.
    @discardableResult
    public func waitForLine(
        startingWith prefix: String,
        timeout: Duration = Check.replyTimeout,
        waitingFor what: String
    ) throws -> String {
        try waitForLine(timeout: timeout, waitingFor: what) { $0.hasPrefix(prefix) }
    }

    @discardableResult
    public func waitForLine(
        containing text: String,
        timeout: Duration = Check.replyTimeout,
        waitingFor what: String
    )
        throws -> String
    {
        try waitForLine(timeout: timeout, waitingFor: what) { $0.contains(text) }
    }

    private func waitForLine(
        timeout: Duration,
        waitingFor what: String,
        where predicate: (String) -> Bool
    ) throws
        -> String
    {
        settle()
        if let line = process.waitForLine(timeout: timeout, where: predicate) { return line }
        if let ended = process.waitForExit(timeout: .milliseconds(100)) {
            throw CheckFailure("\(name) ended (\(ended)) before printing \(what)" + printedSoFar(heading: "it printed"))
        }
        throw CheckFailure(
            "\(name) did not print \(what) within \(Check.describe(timeout))"
                + printedSoFar(heading: "its output so far")
        )
    }

    /// A new line with "it printed:" and the last lines of its output, or " (it printed nothing)".
    func printedSoFar(heading: String) -> String {
        output.isEmpty ? " (it printed nothing)" : "\n\(heading):\n" + indented(lastLines(output))
    }

    /// Before any wait for what this program does: every peer of the step sends what its chaos held back (a peer
    /// that held WELCOME back "to go out with what follows" would otherwise hold it while the program waits for it).
    public func settle() {
        peers.flushAll()
    }

    /// Waits for the program to end by itself; fails if it does not, saying what it printed before it got stuck.
    public func waitForExit(timeout: Duration) throws {
        settle()
        guard process.waitForExit(timeout: timeout) != nil else {
            let stuck =
                usesSockets
                ? "is it waiting for input, or stuck in recv() or accept()?" : "is it waiting for input (readLine())?"
            throw CheckFailure(
                "\(name) was still running after \(Check.describe(timeout)) — \(stuck)"
                    + printedSoFar(heading: "it printed so far")
            )
        }
    }

    public var termination: Termination? { process.termination }

    /// Sends `signal` on purpose — SIGINT as Ctrl-C in its terminal would, SIGTERM as `kill` would — for steps about
    /// how a program ends; `name` says which in the transcript. Its ending is then the check's to judge, never
    /// reported as why it stopped.
    public func signal(_ signal: Int32, as name: String) {
        signalledByCheck.store(true, ordering: .relaxed)
        transcript.log("checker: \(name) to \(self.name)")
        process.signal(signal)
    }

    /// Writes to the program's standard input (the Enter key for `--pause`).
    public func type(_ text: String) {
        transcript.log("typed into \(name): \(quoted(text))")
        recording.record(.typed(program: name, text: text))
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

    /// Waits for `client`, a program under test, to connect. A `chaotic` peer sends as `Check.connect` says.
    public func accept(
        from client: Program,
        timeout: Duration = Check.replyTimeout,
        chaotic: Bool = false
    ) throws -> Peer {
        let deadline = ContinuousClock.now + timeout
        let what = ([client.name] + withoutPort(client.arguments).map(shellQuoted)).joined(separator: " ")
        // Wait in short slices, so that a client that has already ended fails the check at once.
        try socket.setTimeout(0.05)
        while true {
            if let ended = client.termination {
                throw CheckFailure("\(what) ended (\(ended)) without connecting to the checker")
            }
            do {
                return try acceptOne(chaotic: chaotic)
            } catch let error as SocketError where error.isTimeout && ContinuousClock.now < deadline {
                continue
            } catch let error as SocketError where error.isTimeout {
                throw CheckFailure(
                    "\(what) did not connect within \(Check.describe(timeout)) — does it call connect() with the --host and --port it was given?"
                )
            }
        }
    }

    private func acceptOne(chaotic: Bool) throws -> Peer {
        let (socket, address) = try socket.accept()
        try socket.setTimeout(Check.seconds(Check.replyTimeout))
        check.adopt(socket)
        check.note("server: accepted a connection from \(address)")
        let connection = check.recording.newConnection()
        check.recording.record(
            .accepted(
                connection: connection,
                label: "server",
                port: port,
                local: try socket.getSockName(),
                remote: address
            )
        )
        return Peer(
            socket: socket,
            label: "server",
            transcript: check.transcript,
            recording: check.recording,
            connection: connection,
            chaos: try check.chaos(for: socket, connection: connection, chaotic: chaotic),
            group: check.peers
        )
    }
}

func indented(_ text: String, by prefix: String = "    ") -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
}

func lastLines(_ text: String, count: Int = 8) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    let shown = lines.suffix(count).map(String.init)
    return ((lines.count > count ? ["…"] : []) + shown).joined(separator: "\n")
}

/// A program's arguments as a person would retype them, less `--port N` (the checker's own port, gone by then).
func withoutPort(_ arguments: [String]) -> [String] {
    var kept: [String] = []
    var skipNext = false
    for argument in arguments {
        defer { skipNext = argument == "--port" }
        if argument == "--port" || skipNext { continue }
        kept.append(argument)
    }
    return kept
}
