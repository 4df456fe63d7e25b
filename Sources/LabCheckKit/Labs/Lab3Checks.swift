import Foundation
import LabSupport
import ProcessKit
import SocketKit
import Synchronization

/// Lab 3 · Blocking echo: the lecture's echo server and client, their UDP twins, and the same server on a Unix domain
/// socket. An echo server must not care how the bytes it gets are split, so the stream steps' peers are chaotic: they
/// cut, pause and coalesce what they send, drawn from the step's seed.
let lab3 = Lab(
    number: 3,
    title: "Blocking echo",
    folder: "03-blocking-echo",
    programs: ["echo-server", "echo-client"],
    pitfalls: [
        Pitfall(
            repeatedLine: "Received b''",
            meaning:
                "recv() returned b'', which means the client has closed its side — leave the loop when it does (Labs/03-blocking-echo/README.md#step-2)"
        )
    ],
    steps: [
        Step(
            1,
            "server accepts a client and echoes one message",
            hint: "socket, bind, listen, print \"listening on\" with getSockName(), accept, recv, sendAll",
            moreHints: [
                "three bodies: run() makes the listening socket (Socket(.inet, .stream), setSockOpt(.reuseAddress, true), bind(endpoint.address), listen(), print) and calls acceptClients(on: s); acceptClients accepts, prints \"Connected by \\(addr)\" and calls serve(conn, from: addr); echo prints and sends back what receive(from:) brings",
                "echo's loop: while let data = try receive(from: conn) { print(\"Received \\(repr(data)) from \\(addr)\"); pauseIfAsked(); try conn.sendAll(data) }",
            ]
        ) { check in
            try expectFirstEcho(check, message: Array("Hello, world".utf8))
        },
        Step(
            2,
            "server echoes until the client closes, then serves the next",
            hint: "keep calling recv() until it returns an empty result, then close and accept() again",
            moreHints: [
                "two places: receive(from:) returns nil when recv gives an empty array (instead of its throw), which ends echo's loop; acceptClients goes back to accept() after each client, in a while true loop",
                "return data.isEmpty ? nil : data — and acceptClients: while true { let (conn, addr) = try s.accept(); … }",
            ]
        ) { check in
            let messages = ["first message", "second", "and a third one"].map { Array($0.utf8) }
            try expectEchoUntilClosed(check, clients: [messages, messages])
        },
        Step(
            3,
            "nothing lost: 1 MiB, split messages, a vanishing client",
            hint: "sendAll (not send) every byte you received; a reset connection must end that client, not the server",
            moreHints: [
                "a client that vanishes makes echo throw a SocketError (connection reset, broken pipe): serve catches it, prints it and returns normally, so that acceptClients goes on to the next client. If bytes went missing, look for send( where sendAll( belongs",
                "do { try echo(conn, from: addr); print(\"Connection from \\(addr) closed\") } catch let error as SocketError { print(\"Connection from \\(addr) failed: \\(error)\") }",
            ]
        ) { check in
            let megabyte = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
            try expectNothingLost(
                check,
                vanishing: 200_000,
                parts: ["Hel", "lo, wor", "ld"].map { Array($0.utf8) },
                bulk: megabyte
            )
        },
        Step(
            4,
            "client sends a message, or each line, and prints the echo",
            hint: "recv until as many bytes as you sent have come back: one recv() may return only part of them",
            moreHints: [
                "run(): Socket(.inet, .stream), connect(endpoint.address), then echo the message — or, without one, each line readLine(strippingNewline: false) gives — and shutdown(.write) at the end. echo: print, pauseIfAsked(), sendAll, then a loop that adds each recv to what came so far",
                "var received: [UInt8] = []; while received.count < data.count { let chunk = try s.recv(1024); if chunk.isEmpty { throw Failure(…) }; received += chunk }",
            ],
            needs: []
        ) { check in
            try expectClientEcho(check, message: "Hello, world", split: 6, lines: ["one\n", "two\n"])
        },
        Step(
            5,
            "--pause: wait for Enter before each send, as on the slide",
            hint:
                "with --pause, call pressEnterToProceed() before sendAll, as the slide's input(\"Press enter to proceed\")",
            moreHints: [
                "both programs have a pauseIfAsked(): fill in each, and check that echo calls it right before sendAll — in the client only when a message was given on the command line (message != nil)",
                "server: if pause { pressEnterToProceed() } — client: if pause && message != nil { pressEnterToProceed() }",
            ],
            needs: [2, 4]
        ) { check in
            let (server, port) = try check.startServer("echo-server", ["--pause"])
            let client = try check.connect(to: port)
            try client.send("ping")
            try server.waitForPausePrompt(before: "the echo")
            try client.expectSilence(
                for: .milliseconds(100),
                because: "the server should wait for Enter before echoing"
            )
            server.type("\n")
            try client.expect("ping", waitingFor: "the echo once Enter was pressed")

            let listener = try check.listen()
            let pausing = try check.start("echo-client", ["--port", String(listener.port), "--pause", "pong"])
            let peer = try listener.accept(from: pausing)
            try pausing.waitForPausePrompt(before: "sending its message")
            try peer.expectSilence(for: .milliseconds(100), because: "the client should wait for Enter before sending")
            pausing.type("\n")
            try peer.expect("pong", waitingFor: "the client's message once Enter was pressed")
            try peer.send("pong")
            try pausing.waitForExit(timeout: .seconds(3))
        },
        Step(
            6,
            "UDP: datagrams echoed to whoever sent them, no accept",
            hint:
                "a .datagram socket: bind, then recvFrom and sendTo in a loop — there is no listen, accept or connection",
            moreHints: [
                "server: Socket(.inet, .datagram), bind(endpoint.address), print listening on, then while true { let (data, addr) = try s.recvFrom(65535); …; try s.sendTo(data, addr) }. Client: Socket(.inet, .datagram), setTimeout(2), sendTo(data, endpoint.address), then recvFrom",
                "a timeout is a SocketError whose isTimeout is true: catch let error as SocketError where error.isTimeout { throw Failure(\"no reply within 2 s: …\") }",
            ],
            needs: []
        ) { check in
            try expectDatagramEcho(
                check,
                datagrams: [(0, "from alice"), (1, "from bob"), (0, "alice again")].map { ($0, Array($1.utf8)) },
                clientMessage: "over UDP"
            )
        },
        Step(
            7,
            "Unix domain socket: --unix PATH, its file removed on exit",
            hint:
                "--unix PATH: a .unix stream socket bound to (server) or connected to (client) the path; the server removes a stale socket file before bind, and its own file when it stops",
            moreHints: [
                "server: if a socket file is at the path, remove it (FileManager.default.removeItem(atPath:)) — only a socket, never another file; then bind(path), remove the file in a defer and in whenStopped { … }, listen, print, acceptClients(on: s). Client: Socket(.unix, .stream) and connect(path) in place of the TCP pair",
                "the stale file: if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType { guard type == .typeSocket else { throw Failure(…) }; try FileManager.default.removeItem(atPath: path) }",
            ],
            needs: [2, 4]
        ) { check in
            try expectUnixSocket(
                check,
                messages: ["over a Unix socket", "no port, no IP: a path"].map { Array($0.utf8) },
                pythonMessage: "from Python's AF_UNIX",
                clientMessage: "from the client"
            )
        },
    ]
)

// MARK: The checks, public for the held-back variants (which draw other payloads, sizes and split points)

/// One client, one message, echoed whole, and the server's line about it.
public func expectFirstEcho(_ check: Check, message: [UInt8]) throws {
    let (server, port) = try check.startServer("echo-server")
    let client = try check.connect(to: port)
    try server.waitForLine(startingWith: "Connected by", waitingFor: "\"Connected by ADDR\" after accept() returned")
    try client.send(message)
    try client.expect(message, waitingFor: "the echo of \(showText(message))")
    let me = try client.socket.getSockName()
    let line = "Received \(repr(message)) from \(me)"
    try server.waitForLine(containing: line, waitingFor: "\(quoted(line)), what it received and from whom")
}

/// Clients one after another, each sending its messages (through a chaotic peer) and expecting each echo, then
/// half-closing and expecting the server to close too.
public func expectEchoUntilClosed(_ check: Check, clients: [[[UInt8]]]) throws {
    let (_, port) = try check.startServer("echo-server")
    for (number, messages) in zip(1..., clients) {
        let client = try check.connect(to: port, label: "client \(number)", chaotic: true)
        for (index, message) in messages.enumerated() {
            try client.send(message)
            try client.expect(
                message,
                waitingFor: "the echo of message \(index + 1) of \(messages.count) from client \(number)",
                stuck: number > 1 && index == 0
                    ? "the client before has closed: does the server go back to accept()?"
                    : "does the server recv() in a loop, or only once?"
            )
        }
        try client.shutdownWrite()
        let rest = try client.receiveUntilClosed(
            waitingFor:
                "the server to close its side after client \(number) closed its own (its recv() then returns b'', at once and every time: that ends the loop)"
        )
        try expect(rest.isEmpty, "after the echoes the server sent \(show(rest)), which nobody asked for")
        client.close()
    }
}

/// A client that sends `vanishing` bytes and resets the connection; then a client whose message comes in `parts`,
/// and `bulk`, sent while its echo is read. Every byte must come back.
public func expectNothingLost(_ check: Check, vanishing: Int, parts: [[UInt8]], bulk: [UInt8]) throws {
    let (server, port) = try check.startServer("echo-server")
    let gone = try check.connect(to: port, label: "vanishing client", chaotic: true)
    // Not one byte over and over: a server printing what it receives would print the same line again and again.
    try gone.send((0..<vanishing).map { UInt8(ascii: "a") + UInt8($0 % 26) })
    // The server waits now (in sendAll, since nobody reads the echo, or in recv); the reset wakes it, and it either
    // goes back to accept() — waiting again — or ends.
    let before = server.process.waitUntilWaiting(timeout: Check.replyTimeout)
    gone.reset()
    if let before { _ = server.process.waitUntilWaiting(timeout: Check.replyTimeout) { $0.switches > before.switches } }
    if server.termination != nil {
        throw CheckFailure(
            "the server stopped when a client vanished (it reset the connection after sending \(vanishing) bytes): a client's SocketError must end only its own conversation — catch it in serve(_:from:), and serve the next client"
        )
    }

    let client = try check.connect(to: port, chaotic: true)
    // All but the last part, then their echo — an echo server sends back what it has, without waiting for more.
    let head = Array(parts.dropLast().joined())
    for part in parts.dropLast() { try client.send(part) }
    if !head.isEmpty {
        try client.expect(head, waitingFor: "the echo of a message sent in \(parts.count - 1) parts, \(showText(head))")
    }
    let tail = parts.last ?? []
    try client.send(tail)
    try client.expect(tail, waitingFor: "the echo of the last part, \(showText(tail))")

    let echoed = try client.roundTrip(bulk, waitingFor: "the echo of \(describeSize(bulk.count))")
    if let first = bulk.indices.first(where: { echoed[$0] != bulk[$0] }) {
        throw CheckFailure("the echo of \(describeSize(bulk.count)) differs from what was sent, first at byte \(first)")
    }
}

/// The client sends `message` (a command-line argument) to the checker, which echoes it in two parts split at
/// `split`; then `lines` typed on standard input, each echoed by a chaotic peer.
public func expectClientEcho(_ check: Check, message: String, split: Int, lines: [String]) throws {
    let bytes = Array(message.utf8)
    let listener = try check.listen()
    let client = try check.start("echo-client", ["--port", String(listener.port), message])
    let server = try listener.accept(from: client)
    let sent = try server.receive(
        exactly: bytes.count,
        waitingFor: "\(showText(bytes)) from the client",
        stuck: "does the client sendAll its message?"
    )
    try expect(sent, equals: bytes, "what the client sent")
    // The echo comes back in two parts, as it may from a real server; the second only once the client has read the
    // first and waits for more, so that a client that calls recv() once prints half the echo.
    let cut = min(max(split, 1), bytes.count - 1)
    try server.send(inTwoParts: Array(bytes[..<cut]), Array(bytes[cut...]), to: client)
    try client.waitForExit(timeout: .seconds(3))
    let expected = "Received \(repr(bytes))"
    let received = client.outputLines.filter { $0.hasPrefix("Received") }
    try expect(
        received == [expected],
        received.isEmpty
            ? "lab3-echo-client printed no \(quoted(expected)) line; its output:\n" + indented(lastLines(client.output))
            : "lab3-echo-client printed \(show(received)), but the echo was \(repr(bytes)), sent in two parts, \(repr(bytes[..<cut])) then \(repr(bytes[cut...])): one recv() returns what has arrived so far — recv until all \(bytes.count) bytes are back"
    )

    let listener2 = try check.listen()
    let typing = try check.start("echo-client", ["--port", String(listener2.port)])
    typing.type(lines.joined())
    typing.process.closeInput()
    let server2 = try listener2.accept(from: typing, chaotic: true)
    for line in lines {
        let got = try server2.receive(
            exactly: line.utf8.count,
            waitingFor: "the line \(quoted(line)) typed into the client",
            stuck:
                "without a message argument, does the client send each line of standard input, newline included (readLine(strippingNewline: false))?"
        )
        try expect(String(decoding: got, as: UTF8.self), equals: line, "what the client sent")
        try server2.send(got)
    }
    _ = try server2.receiveUntilClosed(
        waitingFor: "the client to close its side once its input ended (shutdown(.write), or close)"
    )
    try typing.waitForExit(timeout: .seconds(3))
    if let last = lines.last {
        let line = "Received \(repr(Array(last.utf8)))"
        try typing.waitForLine(containing: line, waitingFor: quoted(line))
    }
}

/// Datagrams from two sockets (`datagrams`: which socket, what it sends), each echoed to its sender; then the
/// client's `clientMessage` to a UDP socket of the checker's.
public func expectDatagramEcho(_ check: Check, datagrams: [(socket: Int, bytes: [UInt8])], clientMessage: String) throws
{
    let (server, port) = try check.startServer("echo-server", ["--udp"])
    let sockets = [try check.datagramSocket(), try check.datagramSocket()]
    for (number, bytes) in datagrams {
        check.note("udp \(number == 0 ? "alice" : "bob") → \(abbreviatedRepr(bytes))")
        try sockets[number].sendTo(bytes, ("127.0.0.1", port))
        let (reply, _) = try receiveDatagram(on: sockets[number], waitingFor: "the echo of \(showText(bytes))")
        try expect(reply == bytes, "the datagram that came back was \(show(reply)), not \(show(bytes)) as sent")
    }
    if let (number, bytes) = datagrams.last(where: { $0.socket == 1 }) {
        let sender = try sockets[number].getSockName()
        let line = "Received \(repr(bytes)) from \(sender)"
        try server.waitForLine(containing: line, waitingFor: "\(quoted(line)): recvFrom says who sent each datagram")
    }

    let listener = try check.datagramSocket()
    let listenerPort = try listener.getSockName().port
    let client = try check.start("echo-client", ["--udp", "--port", String(listenerPort), clientMessage])
    let (datagram, sender) = try receiveDatagram(on: listener, waitingFor: "a datagram from lab3-echo-client --udp")
    try listener.sendTo(datagram, sender)
    try client.waitForExit(timeout: .seconds(3))
    let line = "Received \(repr(Array(clientMessage.utf8)))"
    try client.waitForLine(containing: line, waitingFor: "\(quoted(line + " from ADDR"))")
}

/// The server on a Unix socket whose path holds a stale socket file: the checker's own (chaotic) client echoes
/// `messages`, Python's AF_UNIX client `pythonMessage`, the lab's client `clientMessage`; Ctrl-C, then kill, must
/// each leave no file behind; and a path that holds a file that is not a socket must be refused, the file kept.
public func expectUnixSocket(_ check: Check, messages: [[UInt8]], pythonMessage: String, clientMessage: String) throws {
    let path = unixSocketPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try leaveStaleSocket(at: path)
    check.prepared(
        "a stale socket file at \(path), as a server killed with kill -9 leaves it",
        command: "python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"\(path)\")'"
    )
    let server = try startUnixServer(check, at: path)

    let client = try check.connect(toUnixSocket: path, chaotic: true)
    for (index, message) in messages.enumerated() {
        try client.send(message)
        try client.expect(
            message,
            waitingFor: "the echo of message \(index + 1) of \(messages.count) over the Unix socket",
            stuck: "is the server's Unix socket served by the same accept loop and echo as TCP?"
        )
    }
    try client.shutdownWrite()
    _ = try client.receiveUntilClosed(waitingFor: "the server to close its side after the client closed its own")
    client.close()

    try expectPythonEcho(check, path: path, message: pythonMessage)

    let ours = try check.run("echo-client", ["--unix", path, clientMessage])
    let echoed = "Received \(repr(Array(clientMessage.utf8)))"
    try expect(
        ours.outputLines.contains(echoed),
        "lab3-echo-client --unix \(path) should print \(quoted(echoed)) — with --unix, does it connect a .unix socket to the path instead of a TCP one?"
            + ours.printedSoFar(heading: "it printed")
    )

    try stop(server, with: SIGINT, as: "Ctrl-C (SIGINT)", expectingGone: path)
    let again = try startUnixServer(check, at: path)
    let last = try check.connect(toUnixSocket: path, label: "client of the server started again")
    try last.send("again")
    try last.expect("again", waitingFor: "the echo from the server started again")
    last.close()
    try stop(again, with: SIGTERM, as: "kill (SIGTERM)", expectingGone: path)

    // Whatever is at the path and is not a socket belongs to someone: the server must refuse, not delete it.
    let precious = Data("not a socket: someone's notes\n".utf8)
    try precious.write(to: URL(fileURLWithPath: path))
    check.prepared("a file that is not a socket at \(path)", command: "echo notes > \(shellQuoted(path))")
    let refusing = try check.start(
        "echo-server",
        ["--unix", path],
        deliberately: "given a path that holds a file which is not a socket"
    )
    let ended = refusing.process.waitForExit(timeout: .seconds(3))
    let kept = FileManager.default.contents(atPath: path) == precious
    try expect(
        kept,
        "lab3-echo-server --unix \(path) deleted (or changed) the file that was there, which was not a socket: remove only a socket file — FileManager's attributesOfItem(atPath:)[.type] says which it is"
    )
    try expect(
        ended != nil && ended != .exited(0),
        "lab3-echo-server --unix \(path), where a file that is not a socket is, should fail (a non-zero exit status) saying so; it "
            + (ended == nil ? "was still running after 3 s" : "ended with \(ended!)")
    )
}

private func startUnixServer(_ check: Check, at path: String) throws -> Program {
    let server = try check.start("echo-server", ["--unix", path], keepsRunning: true)
    try server.waitForLine(
        startingWith: "listening on ",
        waitingFor:
            "\"listening on \(path)\" (with --unix, bind a .unix socket to the path: a stale socket file there must be removed first)"
    )
    check.recording.record(.listening(program: "echo-server", port: 0))
    return server
}

/// Sends `signal` to the server and expects it to end, its socket file gone.
private func stop(_ server: Program, with signal: Int32, as name: String, expectingGone path: String) throws {
    server.signal(signal, as: name)
    guard let ended = server.process.waitForExit(timeout: .seconds(3)) else {
        throw CheckFailure(
            "\(server.name) was still running 3 s after \(name): once its cleanup has run, the program should end (whenStopped does that)"
        )
    }
    server.transcript.log("\(server.name): \(ended)")
    try expect(
        !FileManager.default.fileExists(atPath: path),
        "\(path) was still there after \(server.name) was stopped with \(name): the next server's bind fails on it with \"address already in use\" — remove it in whenStopped { … }"
    )
}

/// Python's own AF_UNIX client, a peer the kit did not write.
private func expectPythonEcho(_ check: Check, path: String, message: String) throws {
    let script = """
        import socket, sys
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(3)
            s.connect(sys.argv[1])
            data = sys.argv[2].encode()
            s.sendall(data)
            got = b''
            while len(got) < len(data):
                chunk = s.recv(1024)
                if not chunk:
                    break
                got += chunk
            print(repr(got))
        """
    let python: ChildProcess
    do {
        python = try ChildProcess("python3", ["-c", script, path, message], timeLimit: .seconds(10))
    } catch {
        throw CheckFailure(
            "python3, which this step uses as a client the kit did not write, cannot run: \(error)",
            machine: true
        )
    }
    defer { python.stop() }
    check.note("python3: socket.socket(AF_UNIX).connect(\(quoted(path))), sendall(\(quoted(message)))")
    guard let ended = python.waitForExit(timeout: .seconds(5)) else {
        throw CheckFailure("Python's AF_UNIX client got no whole echo of \(quoted(message)) within 5 s")
    }
    let expected = repr(Array(message.utf8))
    let printed = python.standardOutput.trimmingCharacters(in: .newlines)
    check.note("python3: \(ended), printed \(quoted(printed))")
    try expect(
        printed == expected,
        "Python's AF_UNIX client sent \(quoted(message)) and got back \(printed.isEmpty ? "nothing" : printed), not \(expected)"
            + (python.standardError.isEmpty ? "" : "; it said:\n" + indented(lastLines(python.standardError)))
    )
}

/// A socket file as a server killed with `kill -9` leaves it: bound, never removed, nobody listening.
private func leaveStaleSocket(at path: String) throws {
    try? FileManager.default.removeItem(atPath: path)
    let socket = try Socket(.unix, .stream)
    try socket.bind(path)
    socket.close()
}

private let unixSocketPaths = Atomic<Int>(0)

/// A path of its own for each check, short enough for a Unix socket (at most 103 bytes on macOS).
private func unixSocketPath() -> String {
    let number = unixSocketPaths.add(1, ordering: .relaxed).newValue
    return NSTemporaryDirectory() + "lab3-echo-\(getpid())-\(number).sock"
}

private func describeSize(_ count: Int) -> String {
    count == 1 << 20 ? "1 MiB" : count >= 10_000 ? "\(count / 1024) KiB" : "\(count) bytes"
}

private func receiveDatagram(on socket: Socket, waitingFor what: String) throws -> ([UInt8], SocketAddress) {
    do {
        return try socket.recvFrom(65535)
    } catch let error as SocketError where error.isTimeout {
        throw CheckFailure(
            "no datagram within 3 s while waiting for \(what) — is it a .datagram socket, bound to the --port it was given?"
        )
    }
}

extension Peer {
    /// The checker as the server sends `first`, waits until `client` has read it — the client has blocked again since
    /// (waiting for the rest), or ended — and only then sends `second`: facts, where a pause would only make it likely
    /// that the two parts arrive apart.
    fileprivate func send(inTwoParts first: [UInt8], _ second: [UInt8], to client: Program) throws {
        let before = client.process.waitUntilWaiting(timeout: Check.replyTimeout)
        try send(first)
        if let before {
            _ = client.process.waitUntilWaiting(timeout: Check.replyTimeout) { $0.switches > before.switches }
        }
        do {
            try send(second)
        } catch let failure as CheckFailure where client.termination != nil {
            transcript.log("\(label): \(failure.message) — \(client.name) had already ended")
        }
    }
}
