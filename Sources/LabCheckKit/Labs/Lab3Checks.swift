import Foundation
import SocketKit

/// Lab 3 · Blocking echo: the lecture's echo server and client, then their UDP twins.
let lab3 = Lab(
    number: 3, title: "Blocking echo", folder: "03-blocking-echo", programs: ["echo-server", "echo-client"],
    pitfalls: [
        Pitfall(repeatedLine: "Received b''", meaning: "recv() returned b'', which means the client has closed its side — leave the loop when it does (Labs/03-blocking-echo/README.md#step-2)")
    ],
    steps: [
        Step(1, "server accepts a client and echoes one message",
             hint: "socket, bind, listen, print \"listening on\" with getSockName(), accept, recv, sendAll") { check in
            let (server, port) = try check.startServer("echo-server")
            let client = try check.connect(to: port)
            try server.waitForLine(
                startingWith: "Connected by", waitingFor: "\"Connected by ADDR\" after accept() returned")
            try client.send("Hello, world")
            try client.expect("Hello, world", waitingFor: "the echo of \"Hello, world\"")
            let me = try client.socket.getSockName()
            try server.waitForLine(
                containing: "Received b'Hello, world' from \(me)",
                waitingFor: "\"Received b'Hello, world' from \(me)\", what it received and from whom")
        },
        Step(2, "server echoes until the client closes, then serves the next",
             hint: "keep calling recv() until it returns an empty result, then close and accept() again") { check in
            let (_, port) = try check.startServer("echo-server")
            for number in 1...2 {
                let client = try check.connect(to: port, label: "client \(number)")
                let messages = ["first message", "second", "and a third one"]
                for (index, message) in messages.enumerated() {
                    try client.send(message)
                    try client.expect(
                        message, waitingFor: "the echo of message \(index + 1) of \(messages.count) from client \(number)",
                        stuck: number == 2 && index == 0
                            ? "the first client has closed: does the server go back to accept()?"
                            : "does the server recv() in a loop, or only once?")
                }
                try client.shutdownWrite()
                let rest = try client.receiveUntilClosed(
                    waitingFor: "the server to close its side after client \(number) closed its own (its recv() then returns b'', at once and every time: that ends the loop)")
                try expect(rest.isEmpty, "after the echoes the server sent \(show(rest)), which nobody asked for")
                client.close()
            }
        },
        Step(3, "nothing lost: 1 MiB, split messages, a vanishing client",
             hint: "sendAll (not send) every byte you received; a reset connection must end that client, not the server") { check in
            let (_, port) = try check.startServer("echo-server")
            let vanishing = try check.connect(to: port, label: "vanishing client")
            try vanishing.send(Array(repeating: UInt8(ascii: "x"), count: 200_000))
            vanishing.reset()

            let client = try check.connect(to: port)
            try client.send("Hel")
            try client.send("lo, wor")
            try client.expect("Hello, wor", waitingFor: "the echo of a message sent in two parts")
            try client.send("ld")
            try client.expect("ld", waitingFor: "the echo of the last part")

            let megabyte = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
            let echoed = try client.roundTrip(megabyte, waitingFor: "the echo of 1 MiB")
            if let first = megabyte.indices.first(where: { echoed[$0] != megabyte[$0] }) {
                throw CheckFailure("the echo of 1 MiB differs from what was sent, first at byte \(first)")
            }
        },
        Step(4, "client sends a message, or each line, and prints the echo",
             hint: "recv until as many bytes as you sent have come back: one recv() may return only part of them",
             needs: []) { check in
            let listener = try check.listen()
            let client = try check.start("echo-client", ["--port", String(listener.port), "Hello, world"])
            let server = try listener.accept(from: client)
            let message = try server.receive(exactly: 12, waitingFor: "\"Hello, world\" from the client",
                                             stuck: "does the client sendAll its message?")
            try expect(String(decoding: message, as: UTF8.self), equals: "Hello, world", "what the client sent")
            // The echo comes back in two parts, as it may from a real server; the second only once the client has
            // read the first and waits for more, so that a client that calls recv() once prints half the echo.
            try server.send(inTwoParts: "Hello,", " world", to: client)
            try client.waitForExit(timeout: .seconds(3))
            let received = client.outputLines.filter { $0.hasPrefix("Received") }
            try expect(received == ["Received b'Hello, world'"], received.isEmpty
                ? "lab3-echo-client printed no \"Received b'Hello, world'\" line; its output:\n" + indented(lastLines(client.output))
                : "lab3-echo-client printed \(show(received)), but the echo was b'Hello, world', sent in two parts, b'Hello,' then b' world': one recv() returns what has arrived so far — recv until all 12 bytes are back")

            let listener2 = try check.listen()
            let lines = try check.start("echo-client", ["--port", String(listener2.port)])
            lines.type("one\ntwo\n")
            lines.process.closeInput()
            let server2 = try listener2.accept(from: lines)
            for line in ["one\n", "two\n"] {
                let got = try server2.receive(
                    exactly: line.utf8.count, waitingFor: "the line \(quoted(line)) typed into the client",
                    stuck: "without a message argument, does the client send each line of standard input, newline included (readLine(strippingNewline: false))?")
                try expect(String(decoding: got, as: UTF8.self), equals: line, "what the client sent")
                try server2.send(got)
            }
            try lines.waitForExit(timeout: .seconds(3))
            try lines.waitForLine(containing: "Received b'two\\n'", waitingFor: "\"Received b'two\\n'\"")
        },
        Step(5, "--pause: wait for Enter before each send, as on the slide",
             hint: "with --pause, call pressEnterToProceed() before sendAll, as the slide's input(\"Press enter to proceed\")",
             needs: [2, 4]) { check in
            let (server, port) = try check.startServer("echo-server", ["--pause"])
            let client = try check.connect(to: port)
            try client.send("ping")
            try server.waitForPausePrompt(before: "the echo")
            try client.expectSilence(for: .milliseconds(100), because: "the server should wait for Enter before echoing")
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
        Step(6, "UDP: datagrams echoed to whoever sent them, no accept",
             hint: "a .datagram socket: bind, then recvFrom and sendTo in a loop — there is no listen, accept or connection",
             needs: []) { check in
            let (server, port) = try check.startServer("echo-server", ["--udp"])
            let alice = try check.datagramSocket()
            let bob = try check.datagramSocket()
            for (socket, message) in [(alice, "from alice"), (bob, "from bob"), (alice, "alice again")] {
                check.note("udp → \(quoted(message))")
                try socket.sendTo(Array(message.utf8), ("127.0.0.1", port))
                let (reply, _) = try receiveDatagram(on: socket, waitingFor: "the echo of \(quoted(message))")
                try expect(String(decoding: reply, as: UTF8.self), equals: message, "the datagram that came back")
            }
            let bobAddress = try bob.getSockName()
            try server.waitForLine(
                containing: "Received b'from bob' from \(bobAddress)",
                waitingFor: "\"Received b'from bob' from \(bobAddress)\": recvFrom says who sent each datagram")

            let listener = try check.datagramSocket()
            let listenerPort = try listener.getSockName().port
            let client = try check.start("echo-client", ["--udp", "--port", String(listenerPort), "over UDP"])
            let (datagram, sender) = try receiveDatagram(on: listener, waitingFor: "a datagram from lab3-echo-client --udp")
            try listener.sendTo(datagram, sender)
            try client.waitForExit(timeout: .seconds(3))
            try client.waitForLine(containing: "Received b'over UDP'", waitingFor: "\"Received b'over UDP' from ADDR\"")
        },
    ])

private func receiveDatagram(on socket: Socket, waitingFor what: String) throws -> ([UInt8], SocketAddress) {
    do {
        return try socket.recvFrom(65535)
    } catch let error as SocketError where error.isTimeout {
        throw CheckFailure("no datagram within 3 s while waiting for \(what) — is it a .datagram socket, bound to the --port it was given?")
    }
}

extension Peer {
    /// The checker as the server sends `first`, waits until `client` has read it — the client has blocked again since
    /// (waiting for the rest), or ended — and only then sends `second`: facts, where a pause would only make it likely
    /// that the two parts arrive apart.
    fileprivate func send(inTwoParts first: String, _ second: String, to client: Program) throws {
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
