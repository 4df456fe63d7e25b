import Foundation
import SocketKit
import Synchronization

/// Lab 4 · Multiplexed echo: the lecture's selector server and multi-connection client, made to survive clients
/// that read slowly, never send, or vanish.
let lab4 = Lab(
    number: 4, title: "Multiplexed echo", folder: "04-multiplexed-echo", programs: ["mux-server", "mux-client"],
    steps: [
        Step(1, "non-blocking accept: every client is accepted at once",
             hint: "register the non-blocking listening socket for .read, and on each event accept until it would block") { check in
            let (server, port) = try check.startServer("mux-server")
            let clients = try (1...3).map { try check.connect(to: port, label: "client \($0)") }
            // None of them sends: a server that waits in recv() for the first never accepts the second.
            let accepted = try server.waitForLines(
                startingWith: "accepted connection from", count: 3,
                waitingFor: "\"accepted connection from ADDR\" for each of 3 clients that have not sent anything",
                stuck: "is the server waiting in recv() for the first client instead of going back to select()?")
            for client in clients {
                let address = try client.socket.getSockName().description
                try expect(accepted.contains { $0.hasSuffix(address) },
                           "no \"accepted connection from \(address)\" line for \(client.label); the server printed:\n"
                           + indented(accepted.joined(separator: "\n")))
            }
        },
        Step(2, "state per connection: every client gets its own bytes back",
             hint: "keep a Connection per socket in the key's data; echo what recv returned to that socket; on end of file unregister, then close") { check in
            let (server, port) = try check.startServer("mux-server")
            let names = ["alpha", "bravo", "charlie"]
            let clients = try names.map { try check.connect(to: port, label: $0) }
            for round in 1...2 {
                for (client, name) in zip(clients, names) { try client.send("\(name) \(round); ") }
                for (client, name) in zip(clients, names) {
                    try client.expect("\(name) \(round); ", waitingFor: "\(name)'s own echo, round \(round)",
                                      stuck: "does the server echo to the socket the bytes came from?")
                }
            }
            try clients[1].send("bra")
            try clients[1].send("vo, in parts")
            try clients[1].expect("bravo, in parts", waitingFor: "the echo of a message sent in two parts")

            // alpha closes its side: the server echoes what is left, then closes too.
            try clients[0].send("last words")
            try clients[0].shutdownWrite()
            let rest = try clients[0].receiveUntilClosed(waitingFor: "the server to close after alpha closed its side")
            try expect(rest, equals: Array("last words".utf8), "what alpha received before the server closed")
            let alpha = try clients[0].socket.getSockName().description
            try server.waitForLine(containing: "closing connection to \(alpha)",
                                   waitingFor: "\"closing connection to \(alpha)\" after alpha closed")

            // bravo vanishes with a reset; charlie must not notice.
            clients[1].reset()
            try clients[2].send("still here?")
            try clients[2].expect("still here?", waitingFor: "charlie's echo after bravo vanished",
                                  stuck: "did a reset connection take the server down? (recv throws: close that connection only)")
        },
        Step(3, "backpressure: nothing lost, nothing reordered, no spinning",
             hint: "watch for .write only while outb has bytes; stop reading while outb is full; after end of file send the rest, then close") { check in
            let (server, port) = try check.startServer("mux-server")

            // Idle connections must cost nothing: watching an empty send buffer for .write makes select return at
            // once, for ever.
            let idle = try (1...10).map { try check.connect(to: port, label: "idle client \($0)") }
            try server.waitForLines(startingWith: "accepted connection from", count: idle.count,
                                    waitingFor: "the \(idle.count) idle clients to be accepted")
            if let busy = try server.cpuSeconds(over: .seconds(1)) {
                check.note("server CPU time over 1 s with \(idle.count) idle clients: \(busy) s")
                try expect(busy < 0.3, "with \(idle.count) idle clients connected the server used \(Int(busy * 100))% of a CPU for a second: does it watch connections for .write while it has nothing to send? (select then returns at once, for ever)")
            }

            // A client that sends 8 MiB but reads slowly: every byte must come back, in order.
            let slow = try check.connect(to: port, label: "slow reader")
            let data = pattern(8 << 20)
            let sending = slow.sendInBackground(data)
            Thread.sleep(forTimeInterval: 0.3)  // the server's send buffer to the slow reader fills up meanwhile
            let other = try check.connect(to: port, label: "other client")
            try other.send("not blocked?")
            try other.expect("not blocked?", waitingFor: "another client's echo while the slow reader does not read",
                             stuck: "is the server stuck sending to the slow reader? (a send that would block must wait for .write)")
            let echoed = try slow.receiveSlowly(data.count, waitingFor: "the echo of 8 MiB sent by a slow reader")
            try sending.finish()
            try expectSame(echoed, data, "the echo of 8 MiB to a slow reader")

            // Half-close: everything sent before end of file is still echoed (the lecture's server drops the tail).
            let tail = try check.connect(to: port, label: "half-closing client")
            let tailData = pattern(4 << 20, seed: 3)
            try tail.sendInBackground(tailData).finish()
            try tail.shutdownWrite()
            let tailEcho = try tail.receiveSlowly(tailData.count, waitingFor: "the echo of 4 MiB sent before end of file")
            try expectSame(tailEcho, tailData, "the echo of 4 MiB sent before end of file")
            let after = try tail.receiveUntilClosed(waitingFor: "the server to close once it had sent everything")
            try expect(after.isEmpty, "after the echo the server sent \(after.count) more bytes")

            // A client that vanishes while the server still has its echo to send.
            let vanishing = try check.connect(to: port, label: "vanishing client")
            try vanishing.send(pattern(2 << 20))
            vanishing.reset()
            let last = try check.connect(to: port, label: "last client")
            try last.send("anyone home?")
            try last.expect("anyone home?", waitingFor: "an echo after a client vanished mid-write",
                            stuck: "did the server die sending to a vanished client? (send throws: close that connection)")
            try expect(server.termination == nil, "the server ended (\(server.termination!))")
        },
        Step(4, "hundreds of clients at once, while one never sends",
             hint: "raise the descriptor limit with raiseOpenFileLimit(); listen(4096); never block on one client") { check in
            let hard = try raiseOpenFileLimit()
            // The server starts with the usual soft limit of 1024, so it must raise its own.
            let (soft, _) = try getOpenFileLimit()
            let lowered = hard >= 1300
            if lowered { try setOpenFileLimit(1024) }
            let started = Result { try check.startServer("mux-server") }
            if lowered { try setOpenFileLimit(soft) }
            let (server, port) = try started.get()
            let count = lowered ? 1100 : max(100, hard / 2 - 50)
            check.note("the server was started with a soft descriptor limit of \(lowered ? 1024 : soft); \(count) clients follow")

            let silent = try check.connect(to: port, label: "silent client")
            try server.waitForLine(startingWith: "accepted connection from", waitingFor: "\"accepted connection from ADDR\" for a client that never sends")
            var clients: [Peer] = []
            for number in 1...count {
                let client = try check.connect(to: port, label: "client \(number)")
                try client.send("hello from \(number)")
                clients.append(client)
            }
            for (index, client) in clients.enumerated() {
                try client.expect(
                    "hello from \(index + 1)", waitingFor: "the echo to client \(index + 1) of \(count)",
                    stuck: index > 900
                        ? "did the server run out of descriptors? (raiseOpenFileLimit() first thing)"
                        : "is the server waiting for the silent client?")
            }
            try silent.send("finally")
            try silent.expect("finally", waitingFor: "the silent client's echo, at last")
        },
        Step(5, "client: N connections at once, every echo checked",
             hint: "non-blocking sockets and connectEx, all registered before any is served; compare what comes back byte by byte",
             needs: []) { check in
            let messages = ["Message 1 from client.", "Message 2 from client."]
            // The checker's server echoes a byte at a time, and only once all 5 connections are open.
            let good = try check.listen()
            let goodServer = EchoPeers(listener: good, expecting: 5, corrupting: nil)
            let client = try check.start("mux-client", ["--port", String(good.port), "--connections", "5", "--messages"] + messages)
            try goodServer.serve(check, client: client)
            try client.waitForExit(timeout: .seconds(10))
            try client.waitForLine(startingWith: "5 connections: 5 ok, 0 failed",
                                   waitingFor: "the total \"5 connections: 5 ok, 0 failed; …\"")
            try expect(client.termination == .exited(0), "lab4-mux-client ended with \(client.termination!) though every echo was right")

            // One connection gets a wrong byte back: the client must say so and fail.
            let bad = try check.listen()
            let badServer = EchoPeers(listener: bad, expecting: 3, corrupting: 2)
            let picky = try check.start("mux-client", ["--port", String(bad.port), "--connections", "3", "--messages"] + messages)
            try badServer.serve(check, client: picky)
            try picky.waitForExit(timeout: .seconds(10))
            try picky.waitForLine(containing: "FAILED", waitingFor: "a line saying which connection FAILED (one echo had a wrong byte)")
            try picky.waitForLine(startingWith: "3 connections: 2 ok, 1 failed", waitingFor: "the total \"3 connections: 2 ok, 1 failed; …\"")
            try expect(picky.termination != .exited(0), "lab4-mux-client exited 0 though one echo had a wrong byte")

            // Nobody listening: a non-blocking connect fails later, and the client must notice.
            let closed = try check.listen()
            let port = closed.port
            closed.socket.close()
            let refused = try check.run("mux-client", ["--port", String(port), "--connections", "2"], timeout: .seconds(10))
            try refused.waitForLine(containing: "refused", waitingFor: "\"connection refused\" for a port where nobody listens")
            try expect(refused.termination != .exited(0), "lab4-mux-client exited 0 though no connection could be made")
        },
    ])

// MARK: Helpers for lab 4's checks

/// Bytes that differ from their neighbours, so a lost or repeated chunk shows: a block of a prime length, repeated
/// (copying is fast even in a debug build).
private func pattern(_ count: Int, seed: Int = 1) -> [UInt8] {
    let block = (0..<65521).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ $0 >> 8) ^ seed) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    while bytes.count < count { bytes += block.prefix(count - bytes.count) }
    return bytes
}

private func expectSame(_ echoed: [UInt8], _ sent: [UInt8], _ what: String) throws {
    guard echoed != sent else { return }
    let first = zip(echoed, sent).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(echoed.count, sent.count)
    throw CheckFailure("\(what) differs from what was sent from byte \(first) on (of \(sent.count)): bytes lost or reordered")
}

extension Program {
    /// Waits until `count` lines start with `prefix`, and returns them.
    @discardableResult
    fileprivate func waitForLines(startingWith prefix: String, count: Int, waitingFor what: String,
                                  stuck: String = "") throws -> [String] {
        var found: [String] = []
        let done = process.waitUntil(timeout: Check.replyTimeout) { output, _ in
            found = String(decoding: output, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix(prefix) }.map(String.init)
            return found.count >= count
        }
        guard done else {
            throw CheckFailure("\(name) printed \(found.count) of \(count) lines \(quoted(prefix + " …")) while waiting for \(what)"
                + (stuck.isEmpty ? "" : " — \(stuck)"))
        }
        return found
    }

    /// The CPU time the program (with everything it started) used over `duration`; nil where /proc is missing.
    fileprivate func cpuSeconds(over duration: Duration) throws -> Double? {
        guard let before = processGroupTicks() else { return nil }
        Thread.sleep(forTimeInterval: Check.seconds(duration))
        guard let after = processGroupTicks() else { return nil }
        return Double(after - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// utime + stime of every process in the program's process group, from /proc/PID/stat.
    private func processGroupTicks() -> Int? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        var total = 0
        for pid in entries where pid.allSatisfy(\.isNumber) {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After the command's name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, Int(fields[2]) == Int(process.pid) else { continue }
            total += (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
        }
        return total
    }
}

extension Peer {
    /// Sends on a thread of its own, so the checker can read (or not) meanwhile.
    fileprivate func sendInBackground(_ bytes: [UInt8]) -> BackgroundSend {
        let sending = BackgroundSend()
        let thread = Thread { [self] in
            do { try send(bytes) } catch { sending.failure.withLock { $0 = error } }
            sending.done.withLock { $0 = true }
        }
        thread.start()
        return sending
    }

    /// Receives `count` bytes a quarter of a megabyte at a time, pausing between: a client that reads slowly.
    fileprivate func receiveSlowly(_ count: Int, waitingFor what: String) throws -> [UInt8] {
        var received: [UInt8] = []
        while received.count < count {
            received += try receive(exactly: min(256 << 10, count - received.count), waitingFor: "\(what) (\(received.count) bytes so far)",
                                    stuck: "were bytes dropped when a send would have blocked?")
            Thread.sleep(forTimeInterval: 0.02)
        }
        return received
    }
}

private final class BackgroundSend: Sendable {
    let failure = Mutex<(any Error)?>(nil)
    let done = Mutex(false)

    /// Waits for the sending thread, and fails as it did.
    func finish() throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !done.withLock({ $0 }) && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if let failure = failure.withLock({ $0 }) { throw failure }
        try expect(done.withLock { $0 }, "the checker could not finish sending within 10 s: the server stopped reading")
    }
}

/// The checker as an echo server for the student's client: it accepts `expecting` connections before echoing
/// anything (a client that opens them one by one never gets there), then echoes each a byte at a time, flipping one
/// byte on connection number `corrupting` (counted from 0 in accept order).
private struct EchoPeers {
    let listener: Listener
    let expecting: Int
    let corrupting: Int?

    func serve(_ check: Check, client: Program) throws {
        var peers: [Peer] = []
        for number in 1...expecting {
            do {
                peers.append(try listener.accept(from: client))
            } catch let failure as CheckFailure {
                throw CheckFailure("connection \(number) of \(expecting): \(failure.message) (all should be open before any echo comes back)")
            }
        }
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
        check.note("checker: \(expecting) connections accepted, echoing a byte at a time" + (corrupting.map { ", corrupting connection \($0 + 1)" } ?? ""))
    }
}
