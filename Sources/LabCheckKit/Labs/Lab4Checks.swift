import Foundation
import ProcessKit
import SocketKit

/// Lab 4 · Multiplexed echo: the lecture's selector server and multi-connection client, made to survive clients
/// that read slowly, never send, or vanish.
let lab4 = Lab(
    number: 4,
    title: "Multiplexed echo",
    folder: "04-multiplexed-echo",
    programs: ["mux-server", "mux-client"],
    steps: [
        Step(
            1,
            "non-blocking accept: every client is accepted at once",
            hint: "register the non-blocking listening socket for .read, and on each event accept until it would block",
            moreHints: [
                "A listening socket is readable while connections wait to be accepted. In EchoLoop.run(), the key whose data is nil is the listening socket: acceptWaiting(); any other key is a client: serviceConnection(key, conn, mask). In acceptWaiting, loop: accept, make the new socket non-blocking, register it, print the line — until accept throws an error whose isWouldBlock is true.",
                "In MuxServer.run(), `try lsock.setBlocking(false)` before `EchoLoop(…).run()`, or accept waits when nobody is left. Each accepted socket: `try sock.setBlocking(false)`, then `let conn = Connection(sock: sock, addr: addr)` and `try sel.register(sock, events: interest(for: conn), data: conn)`.",
            ]
        ) { check in
            try expectEveryoneAccepted(check, clients: 3)
        },
        Step(
            2,
            "state per connection: every client gets its own bytes back",
            hint:
                "keep a Connection per socket in the key's data; echo what recv returned to that socket; on end of file unregister, then close",
            moreHints: [
                "receive(conn): `let n = try conn.sock.recvInto(&buffer)`; 0 means the client closed its side (conn.peerClosed = true). Otherwise echo buffer[..<n] — the bytes as they came, never turned into a String: a character may be cut between two recvs — to conn.sock with sendNow, and keep in conn.outb what it did not take. In serviceConnection, catch every error and close(conn, because: \"\\(error)\"): one client's reset must not stop the server.",
                "close: `try? sel.unregister(conn.sock)` first, then `conn.sock.close()`, then print \"closing connection to \\(conn.addr)\". At the end of serviceConnection: `if interest(for: conn).isEmpty { return close(conn, because: nil) }`.",
            ]
        ) { check in
            try expectOwnEchoes(
                check,
                clients: [
                    ("alpha", ["alpha 1; ", "alpha 2; "]), ("bravo", ["bravo: 안녕하세요; ", "bravo, in parts"]),
                    ("charlie", ["charlie: Grüße aus Köln; ", "charlie 2; "]),
                ].map { ($0, $1.map { Array($0.utf8) }) },
                lastWords: Array("last words".utf8),
                probe: Array("still here?".utf8)
            )
        },
        Step(
            3,
            "backpressure: nothing lost, nothing reordered, no spinning",
            hint:
                "watch for .write only while outb has bytes; stop reading while outb is full; after end of file send the rest, then close",
            moreHints: [
                "interest(for:): start from []; add .read unless conn.peerClosed or conn.outb.count >= Self.maxPending; add .write when conn.outb is not empty (or, with alwaysWritable, while the client is connected). sendPending: sendNow(conn.sock, conn.outb), then drop what went — never sendAll on a non-blocking socket: it throws would-block half-way, after sending bytes that are then lost from outb.",
                "In serviceConnection: `if mask.contains(.write) && !conn.outb.isEmpty { try sendPending(conn) }`, and at the end `let wanted = interest(for: conn)`: empty → close; `if wanted != key.events { try sel.modify(key, events: wanted) }`. In sendPending: `let sent = try sendNow(conn.sock, conn.outb)`, then drop those bytes from the front of outb.",
            ]
        ) { check in
            try expectBackpressure(
                check,
                idle: 10,
                patterns: (slow: 1, vanishing: 2),
                probes: ("not blocked?", "anyone home?")
            )
        },
        Step(
            4,
            "more clients than descriptors, while one never sends",
            hint:
                "raiseDescriptorLimit(): raiseOpenFileLimit(); acceptFailed: out of descriptors, stop watching the listening socket until resumeAccepting() registers it again",
            moreHints: [
                "The checker starts your server as if after `ulimit -n 64`: without raiseOpenFileLimit() its 61st accept fails with EMFILE (\"too many open files\"). And where even the hard limit is reached, accept keeps failing while the listening socket stays readable, so select returns at once, for ever: in acceptFailed, when the error is a SocketError whose isOutOfDescriptors is true, unregister lsock and set acceptPaused; close calls resumeAccepting(), which registers it again.",
                "raiseDescriptorLimit: `let limit = try raiseOpenFileLimit()`, then print \"up to \\(limit) open descriptors\". acceptFailed: `if let error = error as? SocketError, error.isOutOfDescriptors { … }`, and inside, `try? sel.unregister(lsock)` and `acceptPaused = true`. resumeAccepting undoes it, only while acceptPaused: `sel.register(lsock, events: .read, data: nil)`, and acceptPaused false once that worked.",
            ],
            needs: [2]
        ) { check in
            try expectManyClients(check, clients: 150, serverLimit: 64, fixedLimit: 32, crowd: 40)
        },
        Step(
            5,
            "client: every connection started at once, each checked when ready",
            hint:
                "for each connection a non-blocking socket and connectEx, all registered before select; the first time a socket is ready, getSockOpt(.error) says whether it connected",
            moreHints: [
                "startConnections: for each connid, a Socket(.inet, .stream), setBlocking(false), connectEx(endpoint.address) — it returns at once and connects in the background — then register the socket for [.read, .write] with a new ClientConnection as its data. serve: while sel.getMap() is not empty, `for (key, mask) in try sel.select(timeout: 1)`: key.data.service(mask, quiet: quiet); a connection that isDone is unregistered and closed.",
                "finishConnecting: `let code = try sock.getSockOpt(.error)`; not 0: `throw SocketError(call: \"connect\", target: server, reason: .system(errno: Int32(code)))`; 0: `connected = true`, and print \"connection \\(connid) connected\".",
            ],
            needs: []
        ) { check in
            try expectConnectionsAtOnce(check, connections: 5, messages: ["hello"])
        },
        Step(
            6,
            "client: every echo compared, byte by byte, and reported",
            hint:
                "on .write send what the socket takes from outb; on .read compare what came with what was sent, from receivedCount on; fail at the first wrong byte",
            moreHints: [
                "send: when outb is empty take the next message (`outb = messages.removeFirst()`); `let sent = try sock.send(outb)` (a would-block error sends nothing this time); drop those bytes from outb and add them to sentCount. receive: one recv; nothing means the server closed early: fail(…). The echo may come a byte at a time: compare from receivedCount on, not from the start of a message.",
                "The comparison: `let wanted = expected[receivedCount..<min(expected.count, receivedCount + data.count)]`; the first offset where zip(wanted, data) differ fails the connection (\"byte N came back as …\"); bytes beyond wanted fail it too; otherwise `receivedCount += data.count`.",
            ]
        ) { check in
            try expectEchoesCompared(
                check,
                connections: 5,
                messages: ["Message 1 from client.", "Message 2 from client."],
                corrupting: 2,
                of: 3
            )
        },
    ]
)

// MARK: The checks, their values as parameters: the handout's here, others drawn in the held-back variants

/// Step 1: `count` clients connect and send nothing; the server must accept every one (a server waiting in recv()
/// for the first never accepts the second).
public func expectEveryoneAccepted(_ check: Check, clients count: Int) throws {
    let (server, port) = try check.startServer("mux-server")
    let clients = try (1...count).map { try check.connect(to: port, label: "client \($0)") }
    let accepted = try server.waitForLines(
        startingWith: "accepted connection from",
        count: count,
        waitingFor: "\"accepted connection from ADDR\" for each of \(count) clients that have not sent anything",
        stuck: "is the server waiting in recv() for the first client instead of going back to select()?"
    )
    for client in clients {
        let address = try client.socket.getSockName().description
        try expect(
            accepted.contains { $0.hasSuffix(address) },
            "no \"accepted connection from \(address)\" line for \(client.label); the server printed:\n"
                + indented(accepted.joined(separator: "\n"))
        )
    }
}

/// Step 2: the clients send their messages round by round — cut and coalesced as the step's seed says, as a
/// network may — and each must get back exactly its own bytes, in order. Then the first sends `lastWords` and
/// half-closes (it must get them back, then end of file), the second vanishes with a reset, and the third must
/// still get `probe` back. (At least three clients.)
public func expectOwnEchoes(
    _ check: Check,
    clients scripts: [(label: String, messages: [[UInt8]])],
    lastWords: [UInt8],
    probe: [UInt8]
) throws {
    let (server, port) = try check.startServer("mux-server")
    let clients = try scripts.map { try check.connect(to: port, label: $0.label, chaotic: true) }
    let rounds = scripts.map(\.messages.count).max() ?? 0
    for round in 0..<rounds {
        for (client, script) in zip(clients, scripts) where round < script.messages.count {
            try client.send(script.messages[round])
        }
        for (client, script) in zip(clients, scripts) where round < script.messages.count {
            try client.expect(
                script.messages[round],
                waitingFor: "\(client.label)'s own echo, round \(round + 1)",
                stuck: "does the server echo to the socket the bytes came from, as they came?"
            )
        }
    }

    // The first closes its side: the server echoes what is left, then closes too.
    let first = clients[0]
    try first.send(lastWords)
    try first.shutdownWrite()
    let rest = try first.receiveUntilClosed(waitingFor: "the server to close after \(first.label) closed its side")
    try expect(rest, equals: lastWords, "what \(first.label) received before the server closed")
    let address = try first.socket.getSockName().description
    try server.waitForLine(
        containing: "closing connection to \(address)",
        waitingFor: "\"closing connection to \(address)\" after \(first.label) closed"
    )

    // The second vanishes with a reset; the third must not notice.
    clients[1].reset()
    try clients[2].send(probe)
    try clients[2].expect(
        probe,
        waitingFor: "\(clients[2].label)'s echo after \(clients[1].label) vanished",
        stuck: "did a reset connection take the server down? (recv throws: close that connection only)"
    )
}

/// Step 3: `idle` clients cost nothing (the server waits); a client that sends without reading (the pattern of
/// `patterns.slow`) holds up nobody, and after its half-close gets every byte back, in order; a client that vanishes
/// while owed its echo (`patterns.vanishing`) takes nobody down. `probes`: what the other clients send meanwhile.
public func expectBackpressure(
    _ check: Check,
    idle count: Int,
    patterns: (slow: Int, vanishing: Int),
    probes: (blocked: String, after: String)
) throws {
    let (server, port) = try check.startServer("mux-server")

    // Idle connections must cost nothing: watching an empty send buffer for .write makes select return at once, for
    // ever, and the server never waits.
    let idle = try (1...count).map { try check.connect(to: port, label: "idle client \($0)") }
    try server.waitForLines(
        startingWith: "accepted connection from",
        count: idle.count,
        waitingFor: "the \(idle.count) idle clients to be accepted"
    )
    try server.expectToWait(while: "\(idle.count) idle clients are connected")

    // A client that sends without reading. The checker sends until the server has stopped reading from it and is
    // waiting: then the echo it owes cannot leave, and another client must still be served.
    let slow = try check.connect(to: port, label: "slow reader")
    let sent = try slow.flood(server, seed: patterns.slow)
    let other = try check.connect(to: port, label: "other client", chaotic: true)
    try other.send(probes.blocked)
    try other.expect(
        probes.blocked,
        waitingFor: "another client's echo while the slow reader does not read",
        stuck: "is the server stuck sending to the slow reader? (a send that would block must wait for .write)"
    )
    // Half-close: everything sent before end of file is still echoed (the lecture's server drops the tail).
    try slow.shutdownWrite()
    let echoed = try slow.receiveSlowly(
        sent,
        waitingFor: "the echo of the \(megabytes(sent)) the slow reader sent",
        server: server
    )
    try expectSame(
        echoed,
        pattern(sent, seed: patterns.slow),
        "the echo of the \(megabytes(sent)) the slow reader sent"
    )
    let after = try slow.receiveUntilClosed(
        waitingFor: "the server to close once it had echoed everything the slow reader sent before its end of file"
    )
    try expect(after.isEmpty, "after the echo the server sent \(after.count) more bytes")

    // A client that vanishes while the server still has its echo to send.
    let vanishing = try check.connect(to: port, label: "vanishing client")
    _ = try vanishing.flood(server, seed: patterns.vanishing)
    vanishing.reset()
    let last = try check.connect(to: port, label: "last client", chaotic: true)
    try last.send(probes.after)
    try last.expect(
        probes.after,
        waitingFor: "an echo after a client vanished mid-write",
        stuck: "did the server die sending to a vanished client? (send throws: close that connection)"
    )
    try expect(server.termination == nil, "the server ended (\(server.termination!))")
}

/// Step 4: a server started with `serverLimit` descriptors (which it may raise) serves a silent client and `clients`
/// talking ones; a second, with `fixedLimit` it cannot raise and `crowd` clients, accepts what it can, waits without
/// spinning, and takes the waiting clients once others leave.
public func expectManyClients(_ check: Check, clients: Int, serverLimit: Int, fixedLimit fixed: Int, crowd: Int) throws
{
    // The server gets a soft limit far below the clients that follow (the checker's own limit is never touched), so
    // only a server that raises its own limit serves them all.
    let (soft, hard) = try getOpenFileLimit()
    guard hard >= clients + 50 else {
        throw CheckFailure(
            """
            this machine lets a process open at most \(hard) descriptors (ulimit -Hn), too few to prove anything: \
            step 4 needs \(clients + 50). Raise the hard limit (on Linux, in /etc/security/limits.conf) or check on another machine
            """,
            machine: true
        )
    }
    guard soft >= clients + 50 else {
        throw CheckFailure(
            """
            the checker may open only \(soft) descriptors (ulimit -n) and needs \(clients + 50) for its clients: \
            run `ulimit -n \(min(hard, 4096))` in this terminal, then make check again
            """,
            machine: true
        )
    }
    let (server, port) = try check.startServer("mux-server", openFileLimit: .soft(serverLimit))
    check.note("the server was started with a soft limit of \(serverLimit) open descriptors; \(clients) clients follow")

    let silent = try check.connect(to: port, label: "silent client")
    try server.waitForLine(
        startingWith: "accepted connection from",
        waitingFor: "\"accepted connection from ADDR\" for a client that never sends"
    )
    var talking: [Peer] = []
    for number in 1...clients {
        let client = try check.connect(to: port, label: "client \(number)")
        try client.send("hello from \(number)")
        talking.append(client)
    }
    for (index, client) in talking.enumerated() {
        try client.expect(
            "hello from \(index + 1)",
            waitingFor: "the echo to client \(index + 1) of \(clients)",
            stuck: index + 1 >= serverLimit - 10
                ? "did the server run out of descriptors? It was started with a limit of \(serverLimit), as if `ulimit -n \(serverLimit)`: raiseOpenFileLimit() first thing in run()"
                : "is the server waiting for the silent client?"
        )
    }
    try silent.send("finally")
    try silent.expect("finally", waitingFor: "the silent client's echo, at last")
    for client in talking + [silent] { client.close() }

    // Out of descriptors for good: a hard limit the server cannot raise. It must stop accepting without spinning
    // (the listening socket stays readable), and take the waiting clients once others leave.
    let (full, fullPort) = try check.startServer("mux-server", openFileLimit: .fixed(fixed))
    check.note("a second server, started with a limit of \(fixed) open descriptors that it cannot raise")
    let waiting = try (1...crowd).map { try check.connect(to: fullPort, label: "crowd client \($0)") }
    try full.expectToWait(
        while: "\(waiting.count) clients want a connection and it may have only \(fixed) descriptors",
        spinning: "does it stop watching the listening socket when accept fails with \"too many open files\"?"
    )
    let accepted = full.outputLines.filter { $0.hasPrefix("accepted connection from") }
    try expect(
        !accepted.isEmpty && accepted.count < waiting.count,
        "with \(fixed) descriptors the server accepted \(accepted.count) of \(waiting.count) clients; its output:\n"
            + indented(lastLines(full.output))
    )
    let address = { (client: Peer) in (try? client.socket.getSockName())?.description ?? "?" }
    let leaving = waiting.filter { client in accepted.contains { $0.hasSuffix(" " + address(client)) } }.prefix(3)
    for client in leaving { client.close() }
    let now = try full.waitForLines(
        startingWith: "accepted connection from",
        count: accepted.count + leaving.count,
        waitingFor: "the server to accept waiting clients once \(leaving.count) others had left",
        stuck: "is the listening socket registered again when a connection closes?"
    )
    guard
        let latecomer = waiting.first(where: { client in
            now.dropFirst(accepted.count).contains { $0.hasSuffix(" " + address(client)) }
        })
    else {
        throw CheckFailure(
            "the server accepted someone other than the waiting clients: \(show(Array(now.dropFirst(accepted.count))))"
        )
    }
    try latecomer.send("at last")
    try latecomer.expect("at last", waitingFor: "the echo to a client accepted once others had left")
}

/// Step 5: the checker accepts all `count` connections before anything else (a client that waits for one
/// connection before it starts the next never gets there); then a port where nobody listens must be reported.
public func expectConnectionsAtOnce(_ check: Check, connections count: Int, messages: [String]) throws {
    let (listener, client) = try startMuxClient(check, connections: count, messages: messages)
    _ = try EchoPeers.acceptAll(count, on: listener, from: client)
    try client.waitForLines(
        startingWith: "starting connection ",
        count: count,
        waitingFor: "\"starting connection N to 127.0.0.1:\(listener.port)\" for each of the \(count)"
    )
    try client.waitForLines(
        matching: { $0.hasPrefix("connection ") && $0.hasSuffix(" connected") },
        count: count,
        waitingFor: "\"connection N connected\" for each of the \(count) once select says its socket is ready",
        stuck:
            "is every socket registered, and does select run? The first event on a socket means its connect has ended: then read getSockOpt(.error)"
    )

    // Nobody listening: a non-blocking connect fails later, and the client must notice.
    let closed = try check.listen()
    let port = closed.port
    closed.socket.close()
    let refused = try check.run("mux-client", ["--port", String(port), "--connections", "2"], timeout: .seconds(10))
    try refused.waitForLine(containing: "refused", waitingFor: "\"connection refused\" for a port where nobody listens")
    try expect(refused.termination != .exited(0), "lab4-mux-client exited 0 though no connection could be made")
}

/// Step 6: the checker's server echoes a byte at a time, once all `count` connections are open: every connection
/// must be ok. Then of `bad` connections, number `corrupting` (from 0, in accept order) gets one byte wrong: the
/// client must say that connection FAILED and exit non-zero.
public func expectEchoesCompared(
    _ check: Check,
    connections count: Int,
    messages: [String],
    corrupting: Int,
    of bad: Int
) throws {
    let (good, client) = try startMuxClient(check, connections: count, messages: messages)
    try EchoPeers(listener: good, expecting: count, corrupting: nil).serve(check, client: client)
    try client.waitForExit(timeout: .seconds(10))
    try client.expectTotal(
        "\(count) connections: \(count) ok, 0 failed",
        because: "the checker echoed every byte right"
    )
    try expect(
        client.termination == .exited(0),
        "lab4-mux-client ended with \(client.termination!) though every echo was right"
    )

    let (wrong, picky) = try startMuxClient(check, connections: bad, messages: messages)
    try EchoPeers(listener: wrong, expecting: bad, corrupting: corrupting).serve(check, client: picky)
    try picky.waitForExit(timeout: .seconds(10))
    try picky.expectTotal(
        "\(bad) connections: \(bad - 1) ok, 1 failed",
        because: "the checker changed one byte of one connection's echo"
    )
    try expect(
        picky.outputLines.contains { $0.hasPrefix("connection ") && $0.contains("FAILED") },
        "lab4-mux-client should say which connection FAILED (its echo had a wrong byte); it printed:\n"
            + indented(lastLines(picky.output))
    )
    try expect(picky.termination != .exited(0), "lab4-mux-client exited 0 though one echo had a wrong byte")
}

// MARK: Helpers for lab 4's checks

/// The checker's bytes: a block of a prime length, repeated, whose bytes differ from their neighbours, so that a lost
/// or repeated chunk shows (and copying is fast even in a debug build).
private func patternBlock(seed: Int) -> [UInt8] {
    (0..<65521).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ $0 >> 8) ^ seed) }
}

private func pattern(_ count: Int, seed: Int) -> [UInt8] {
    let block = patternBlock(seed: seed)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    while bytes.count < count { bytes += block.prefix(count - bytes.count) }
    return bytes
}

private func megabytes(_ count: Int) -> String {
    let tenths = (count * 10 + (1 << 19)) >> 20
    return "\(tenths / 10).\(tenths % 10) MiB (\(count) bytes)"
}

private func expectSame(_ echoed: [UInt8], _ sent: [UInt8], _ what: String) throws {
    guard echoed != sent else { return }
    let first =
        zip(echoed, sent).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(echoed.count, sent.count)
    throw CheckFailure(
        "\(what) differs from what was sent from byte \(first) on (of \(sent.count)): bytes lost or reordered"
    )
}

extension Program {
    /// The client's total line, once it has ended: it must start with `total`; else quote what it printed.
    fileprivate func expectTotal(_ total: String, because reason: String) throws {
        let line = outputLines.last { $0.contains(" connections: ") }
        guard line?.hasPrefix(total) != true else { return }
        throw CheckFailure(
            "\(reason), so lab4-mux-client should end with the total \(quoted(total + "; …")); "
                + (line.map { "it printed \(quoted($0))" } ?? "it printed no total")
                + (output.isEmpty ? "" : ", after:\n" + indented(lastLines(output)))
        )
    }

    /// Waits until `count` lines start with `prefix`, and returns them.
    @discardableResult
    fileprivate func waitForLines(
        startingWith prefix: String,
        count: Int,
        waitingFor what: String,
        stuck: String = ""
    ) throws -> [String] {
        try waitForLines(
            matching: { $0.hasPrefix(prefix) },
            count: count,
            described: quoted(prefix + " …"),
            waitingFor: what,
            stuck: stuck
        )
    }

    @discardableResult
    fileprivate func waitForLines(
        matching predicate: (Substring) -> Bool,
        count: Int,
        described: String? = nil,
        waitingFor what: String,
        stuck: String = ""
    ) throws -> [String] {
        var found: [String] = []
        settle()
        let done = process.waitUntil(timeout: Check.replyTimeout) { output, _ in
            found = String(decoding: output, as: UTF8.self).split(separator: "\n").filter(predicate).map(String.init)
            return found.count >= count
        }
        guard done else {
            throw CheckFailure(
                "\(name) printed \(found.count) of the \(count) lines" + (described.map { " \($0)" } ?? "")
                    + " while waiting for \(what)" + (stuck.isEmpty ? "" : " — \(stuck)")
                    + (output.isEmpty ? "" : "; its output ends:\n" + indented(lastLines(output)))
            )
        }
        return found
    }

    /// Waits until the program is blocked with nothing to do: seen waiting twice in a row, without a context switch
    /// between (so it was not merely between two events). A server that spins never is: after a second of not
    /// waiting once, fail, saying how much CPU it burnt meanwhile.
    fileprivate func expectToWait(
        while situation: String,
        spinning question: String =
            "does it watch connections for .write while it has nothing to send? (select then returns at once, for ever)"
    ) throws {
        let started = ContinuousClock.now
        let first = process.activity()
        var last: ProcessActivity?
        while ContinuousClock.now - started < .seconds(1) {
            guard let now = process.activity() else { throw CheckFailure("\(name) ended while \(situation)") }
            if now.isWaiting, let last, last.isWaiting, last.switches == now.switches { return }
            last = now
            Thread.sleep(forTimeInterval: 0.002)
        }
        let elapsed = Check.seconds(ContinuousClock.now - started)
        let used = (last?.cpuTime).flatMap { end in first.map { Check.seconds(end - $0.cpuTime) } } ?? 0
        throw CheckFailure(
            "while \(situation), \(name) did not wait once in \(String(format: "%.1f", elapsed)) s: it used \(Int(used / elapsed * 100))% of a CPU — \(question)"
        )
    }
}

extension Peer {
    /// Sends the pattern until the server stops reading it and waits, its echo unsent: a send would block (the
    /// server's receive buffer is full), twice in a row, while the server is seen waiting without a context switch
    /// between. Facts, not a guess with a sleep: a server that blocks in sendAll is blocked by then, whatever the
    /// machine's load or buffer sizes. Returns how many bytes were sent; fails if the server never stops reading.
    fileprivate func flood(_ server: Program, seed: Int, limit: Int = 64 << 20) throws -> Int {
        let block = patternBlock(seed: seed)
        let twice = block + block
        // A receive buffer of a fixed size, which the kernel would otherwise grow as the echo is read: the server
        // then keeps more of its echo in outb, where a server that drops outb at end of file loses it.
        try socket.setSockOpt(.receiveBufferSize, 256 << 10)
        transcript.log("\(label) → the pattern, until the server stops reading it")
        // A short timeout: each send that finds the buffer full waits 2 ms, the time between two looks at the server.
        try socket.setTimeout(0.002)
        defer { try? socket.setTimeout(Check.seconds(Check.replyTimeout)) }
        var sent = 0
        var stalled: ProcessActivity?
        var blockedSince: ContinuousClock.Instant?
        while sent < limit {
            let offset = sent % block.count
            do {
                sent += try socket.send(twice[offset..<offset + block.count])
                (stalled, blockedSince) = (nil, nil)
                continue
            } catch let error as SocketError where error.isTimeout {
                // The buffers are full: the server does not read. Is it waiting?
            } catch let error as SocketError where error.isPeerGone {
                throw CheckFailure(
                    "the server closed the connection while \(label) was still sending (\(error)), after \(megabytes(sent))"
                )
            }
            guard let now = server.process.activity() else {
                throw CheckFailure("\(server.name) ended while \(label) was sending, after \(megabytes(sent))")
            }
            if now.isWaiting, let before = stalled, before.switches == now.switches {
                transcript.log("\(label) → \(megabytes(sent)); the server stopped reading and waits")
                return sent
            }
            stalled = now.isWaiting ? now : nil
            let since = blockedSince ?? .now
            blockedSince = since
            if since.duration(to: .now) > Check.replyTimeout {
                throw CheckFailure(
                    "\(server.name) stopped reading from \(label) after \(megabytes(sent)), but did not wait once in the \(Int(Check.seconds(Check.replyTimeout))) s since: it runs without getting anywhere — does it watch .write while outb has bytes, and then send them (sendPending)?"
                )
            }
        }
        throw CheckFailure(
            "the server kept reading from \(label), which does not read its echo: \(megabytes(sent)) so far — does it stop watching .read while outb holds maxPending bytes, and watch .write while outb has bytes?"
        )
    }

    /// Receives `count` bytes 64 KiB at a time, and after each lets the server catch up until it waits: a client
    /// that reads slowly, paced by the server rather than by a clock.
    fileprivate func receiveSlowly(_ count: Int, waitingFor what: String, server: Program) throws -> [UInt8] {
        var received: [UInt8] = []
        while received.count < count {
            received += try receive(
                exactly: min(64 << 10, count - received.count),
                waitingFor: "\(what), of which \(received.count) bytes had come back",
                stuck:
                    "the rest may be waiting unsent in the server: is the socket watched for .write while outb has bytes?",
                quietly: true
            )
            if server.process.waitUntilWaiting(timeout: Check.replyTimeout) == nil, server.termination == nil {
                throw CheckFailure(
                    "while the \(label) was reading its echo (\(received.count) of \(count) bytes so far), \(server.name) did not wait once in \(Int(Check.seconds(Check.replyTimeout))) s: it spins — does it send what outb holds when the socket is writable (sendPending)?"
                )
            }
        }
        transcript.log("\(label) ← \(megabytes(count)), slowly")
        return received
    }
}

/// The checker as an echo server for the student's client: it accepts `expecting` connections before echoing
/// anything (a client that opens them one by one never gets there), then echoes each a byte at a time, flipping one
/// byte on connection number `corrupting` (counted from 0 in accept order).
private struct EchoPeers {
    let listener: Listener
    let expecting: Int
    let corrupting: Int?

    /// Accepts `count` connections from `client`, all before anything else happens.
    static func acceptAll(_ count: Int, on listener: Listener, from client: Program) throws -> [Peer] {
        try (1...count).map { number in
            do {
                return try listener.accept(from: client)
            } catch let failure as CheckFailure {
                throw CheckFailure(
                    "connection \(number) of \(count): \(failure.message) (all should be open before any echo comes back)"
                )
            }
        }
    }

    func serve(_ check: Check, client: Program) throws {
        let peers = try Self.acceptAll(expecting, on: listener, from: client)
        for (index, peer) in peers.enumerated() {
            let corrupt = index == corrupting
            Thread {
                var flipped = false
                while let chunk = try? peer.socket.recv(1024), !chunk.isEmpty {
                    for var byte in chunk {
                        if corrupt && !flipped {
                            byte ^= 0x20
                            flipped = true
                        }
                        guard (try? peer.socket.sendAll([byte])) != nil else { return }
                    }
                }
                try? peer.socket.shutdown(.write)
            }.start()
        }
        check.note(
            "checker: \(expecting) connections accepted, echoing a byte at a time"
                + (corrupting.map { ", corrupting connection \($0 + 1)" } ?? "")
        )
    }
}

/// lab4-mux-client against a listener of the checker's: `count` connections, each sending `messages`.
private func startMuxClient(_ check: Check, connections count: Int, messages: [String]) throws -> (Listener, Program) {
    let listener = try check.listen()
    let client = try check.start(
        "mux-client",
        ["--port", String(listener.port), "--connections", String(count), "--messages"] + messages
    )
    return (listener, client)
}
