import Foundation
import LabSupport

/// How to replay a failed step by hand: the student's program started with `make run`, and the checker's side of
/// the conversation as a labrepl script (`.labcheck/lab3-step2.repl`). The script talks to the lecture's port
/// 65432, where `make run` starts a server when it is given no `--port`.
struct Replay {
    static let port = lecturePort
    /// Payloads larger than this go into a file of their own (`sendfile`); beyond `largest`, they are left out.
    static let inlineLimit = 256
    static let largest = 1 << 20

    let lab: Lab
    let step: Step
    /// The reference programs were checked: the replay runs them too (`SOLUTION=1`).
    var solution = false
    let events: [Recording.Entry]

    /// The commands to run, and the script (named `scriptName`) they need, if any.
    func plan(scriptPath: String) -> (commands: [String], script: String?, files: [String: [UInt8]]) {
        if let (client, host) = clientThatNeverConnected() {
            var script = Script(scriptPath: scriptPath)
            script.comment(
                "Lab \(lab.number) step \(step.number): the checker listened for your client, which never connected."
            )
            script.comment("Once this waits, start your client in another terminal: \(makeRun(client.0, client.1))")
            script.line("listen \(host == "127.0.0.1" ? "" : host + " ")\(Self.port) as server")
            script.line("accept server timeout 60")
            let commands = [
                "make repl ARGS=\"--script \(scriptPath)\"    # in one terminal: the checker's side",
                makeRun(client.0, client.1) + "    # then, in another",
            ]
            return (commands, script.text, script.files)
        }
        guard let last = lastConnection() else {
            // No connection: running the program is the whole replay (lab 1, or a program that never connected).
            guard let (program, arguments) = startedPrograms().last else { return ([], nil, [:]) }
            return ([makeRun(program, arguments)], nil, [:])
        }
        var script = Script(scriptPath: scriptPath)
        switch last.kind {
        case .toServer(let port):
            let server = serverListening(on: port)
            script.comment("Lab \(lab.number) step \(step.number): the checker's side, replayed against your server.")
            script.comment(
                "First start it in another terminal: \(server.map { makeRun($0.program, $0.arguments) } ?? "your server")"
            )
            script.play(events, connections: connections { if case .toServer(port) = $0 { true } else { false } })
            let commands =
                (server.map { [makeRun($0.program, $0.arguments) + "    # in one terminal"] } ?? [])
                + ["make repl ARGS=\"--script \(scriptPath)\"    # in another: the checker's side"]
            return (commands, script.text, script.files)
        case .fromClient(let port):
            let client = startedPrograms().last { $0.arguments.contains(String(port)) }
            script.comment(
                "Lab \(lab.number) step \(step.number): the checker played the server; labrepl plays it here."
            )
            script.comment(
                "Once this waits, start your client in another terminal: \(client.map { makeRun($0.0, $0.1) } ?? "your client")"
            )
            // The checker's listener's own address: ::1 where the step is about IPv6.
            let host = listenerHost(port: port).map { $0 == "127.0.0.1" ? "" : $0 + " " } ?? ""
            script.line("listen \(host)\(Self.port) as server")
            script.play(
                events,
                connections: connections { if case .fromClient(port) = $0 { true } else { false } },
                acceptFrom: "server"
            )
            let commands =
                ["make repl ARGS=\"--script \(scriptPath)\"    # in one terminal: the checker's side"]
                + (client.map { [makeRun($0.0, $0.1) + "    # then, in another"] } ?? [])
            return (commands, script.text, script.files)
        }
    }

    // MARK: Reading the recording

    enum ConnectionKind: Equatable {
        case toServer(port: Int)
        case fromClient(listenerPort: Int)
    }

    private struct Connection {
        let number: Int
        let kind: ConnectionKind
    }

    private func connection(of event: Recording.Event) -> Int? {
        switch event {
        case .connected(let number, _, _, _, _), .accepted(let number, _, _, _, _), .sent(let number, _),
            .connectFailed(let number, _, _, _),
            .received(let number, _), .awaited(let number, _, _), .halfClosed(let number), .closed(let number),
            .reset(let number):
            number
        case .started, .listening, .typed, .checkerListening: nil
        }
    }

    private func kinds() -> [Int: ConnectionKind] {
        var kinds: [Int: ConnectionKind] = [:]
        for entry in events {
            switch entry.event {
            case .connected(let number, _, let port, _, _), .connectFailed(let number, _, let port, _):
                kinds[number] = .toServer(port: port)
            case .accepted(let number, _, let port, _, _): kinds[number] = .fromClient(listenerPort: port)
            default: break
            }
        }
        return kinds
    }

    /// The host of the checker's listener on `port`.
    private func listenerHost(port: Int) -> String? {
        for entry in events {
            if case .checkerListening(let host, port) = entry.event { return host }
            if case .accepted(_, _, port, let local, _) = entry.event { return local.host }
        }
        return nil
    }

    /// The last program started, when it was a client told to connect to a listener of the checker's and nothing
    /// connected there after it started (lab 2 step 7: a client that cannot reach ::1): the failure is its connect.
    private func clientThatNeverConnected() -> (client: (String, [String]), host: String)? {
        guard let startIndex = events.lastIndex(where: { if case .started = $0.event { true } else { false } }),
            case .started(let program, let arguments) = events[startIndex].event,
            let portIndex = arguments.firstIndex(of: "--port"), portIndex + 1 < arguments.count,
            let port = Int(arguments[portIndex + 1]), let host = listenerHost(port: port)
        else { return nil }
        let connected = events[startIndex...].contains {
            if case .accepted(_, _, port, _, _) = $0.event { true } else { false }
        }
        return connected ? nil : ((program, arguments), host)
    }

    /// The connection the check used last: the failure happened there.
    private func lastConnection() -> Connection? {
        let kinds = kinds()
        for entry in events.reversed() {
            if let number = connection(of: entry.event), let kind = kinds[number] {
                return Connection(number: number, kind: kind)
            }
        }
        return nil
    }

    private func connections(where matches: (ConnectionKind) -> Bool) -> Set<Int> {
        Set(kinds().filter { matches($0.value) }.keys)
    }

    private func startedPrograms() -> [(program: String, arguments: [String])] {
        events.compactMap {
            if case .started(let program, let arguments) = $0.event { (program, arguments) } else { nil }
        }
    }

    /// The program that said it listens on `port`, with the arguments it was started with.
    private func serverListening(on port: Int) -> (program: String, arguments: [String])? {
        var started: [(String, [String])] = []
        for entry in events {
            switch entry.event {
            case .started(let program, let arguments): started.append((program, arguments))
            case .listening(let program, port): return started.last { $0.0 == program }.map { ($0.0, $0.1) }
            default: break
            }
        }
        return nil
    }

    /// `make run LAB=3 PROG=echo-server ARGS="--pause"`: the program on the lecture's default port.
    private func makeRun(_ program: String, _ arguments: [String]) -> String {
        let kept = withoutPort(arguments)  // the default port is the one the script uses
        let args = kept.isEmpty ? "" : " ARGS=" + makeQuoted(kept.map(shellQuoted).joined(separator: " "))
        return "make run LAB=\(lab.number) PROG=\(program)\(solution ? " SOLUTION=1" : "")\(args)"
    }
}

/// A labrepl script under construction.
private struct Script {
    let scriptPath: String
    private(set) var lines: [String] = []
    private(set) var files: [String: [UInt8]] = [:]

    init(scriptPath: String) {
        self.scriptPath = scriptPath
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func comment(_ text: String) { lines.append("# " + text) }
    mutating func line(_ text: String) { lines.append(text) }

    /// The checker's actions on `connections`, in the order they happened.
    mutating func play(_ events: [Recording.Entry], connections: Set<Int>, acceptFrom listener: String? = nil) {
        var names: [Int: String] = [:]
        var current: Int?
        func use(_ number: Int) {
            if current != number, let name = names[number] { line("use \(name)") }
            current = number
        }
        var sendCount = 0
        for entry in events {
            switch entry.event {
            case .connected(let number, let label, _, _, let remote) where connections.contains(number):
                let name = peerName(label, taken: Set(names.values))
                names[number] = name
                // A Unix socket is found by its path, which the server's own replay command keeps.
                let target = remote.path.map { "unix:" + $0 } ?? "127.0.0.1 \(Replay.port)"
                line("connect \(target) as \(name)")
                current = number
            case .connectFailed(let number, let label, _, let reason) where connections.contains(number):
                let name = peerName(label, taken: Set(names.values))
                names[number] = name
                comment("here the checker could not connect (\(reason)): if labrepl cannot either, that is the failure")
                line("connect 127.0.0.1 \(Replay.port) as \(name)")
                current = number
            case .accepted(let number, _, _, _, _) where connections.contains(number):
                names[number] = "\(listener ?? "server").\(names.count + 1)"
                line("accept \(listener ?? "server") timeout 60")
                current = number
            case .sent(let number, let bytes) where connections.contains(number):
                use(number)
                sendCount += 1
                line(send(bytes, number: sendCount))
            case .awaited(let number, let count, let expected) where connections.contains(number):
                use(number)
                if let expected, expected.count <= Replay.inlineLimit, let text = replText(expected) {
                    line("expect \(text)")
                } else {
                    line("recv \(count) timeout 5")
                }
            case .typed(let program, let text):
                comment("here the checker typed \(quoted(text)) into \(program): do the same in its terminal")
            case .halfClosed(let number) where connections.contains(number):
                line("shutdown \(names[number] ?? "") write")
            case .closed(let number) where connections.contains(number):
                line("close \(names[number] ?? "")")
            case .reset(let number) where connections.contains(number):
                comment("the checker vanished here with a reset; labrepl can only close")
                line("close \(names[number] ?? "")")
            default:
                break
            }
        }
    }

    private mutating func send(_ bytes: [UInt8], number: Int) -> String {
        if bytes.count <= Replay.inlineLimit {
            if let text = replText(bytes) { return "send \(text)" }
            return "sendhex " + bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
        }
        guard bytes.count <= Replay.largest else {
            return "# the checker sent \(bytes.count) bytes here, too many to replay"
        }
        let path = scriptPath.replacingOccurrences(of: ".repl", with: "") + "-send\(number).bin"
        files[path] = bytes
        return "sendfile \(path)"
    }

    /// A labrepl peer name: letters, digits, `.`, `_` and `-`, starting with a letter, not taken yet.
    private func peerName(_ label: String, taken: Set<String>) -> String {
        var name = String(label.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" })
        if name.first?.isLetter != true { name = "peer-" + name }
        var candidate = name
        var number = 2
        while taken.contains(candidate) {
            candidate = "\(name)-\(number)"
            number += 1
        }
        return candidate
    }
}

/// Bytes as labrepl's TEXT (escapes \n \r \t \\ \" \xHH; double quotes keep spaces at the ends); nil for data that
/// reads better in hex.
private func replText(_ bytes: [UInt8]) -> String? {
    let printable = bytes.filter { (0x20..<0x7F).contains($0) || [0x0A, 0x0D, 0x09].contains($0) }.count
    guard !bytes.isEmpty, printable * 10 >= bytes.count * 9 else { return nil }
    var text = ""
    for byte in bytes {
        switch byte {
        case 0x0A: text += "\\n"
        case 0x0D: text += "\\r"
        case 0x09: text += "\\t"
        case 0x5C: text += "\\\\"
        case 0x22: text += "\\\""
        case 0x20..<0x7F: text.unicodeScalars.append(UnicodeScalar(byte))
        default: text += String(format: "\\x%02x", byte)
        }
    }
    let needsQuotes = text.first == " " || text.last == " " || text.hasPrefix("#")
    return needsQuotes ? "\"" + text + "\"" : text
}
