import Foundation
import FrameKit
import ProcessKit
import SocketKit
import TestSupport
import Testing

/// The lab 5 router end to end: hostile clients, many clients at once, streams cut anywhere, and a client in Python.
@Suite struct Lab5RouterTests {
    /// Garbage, a header and then nothing, a 4 GiB claim and a frame cut off by a reset, all at once, while two
    /// clients keep chatting: every chat message arrives, in order and promptly.
    @Test func hostileClientsHurtNobodyElse() throws {
        let (router, port) = try startServer("lab5-router-solution", ["--frame-timeout", "1"])
        defer { router.stop() }
        let alice = try FrameClient(port: port)
        let bob = try FrameClient(port: port)
        try alice.logIn(as: "Alice")
        try bob.logIn(as: "Bob")

        var random = SeededRandom(seed: 0x1AB5)
        let garbage = try FrameClient(port: port)
        try garbage.send(bytes: (0..<4000).map { _ in UInt8.random(in: 0...255, using: &random) })
        let stalled = try FrameClient(port: port)
        try stalled.send(bytes: header(.broadcast, length: 10))
        let greedy = try FrameClient(port: port)
        try greedy.send(bytes: header(.send, length: 0xFFFF_FFFF) + Array(repeating: 0x41, count: 4999))
        let vanishing = try FrameClient(port: port)
        try vanishing.send(bytes: Array(Frame(.ping, text: "cut short").encoded().prefix(8)))
        try vanishing.socket.setSockOpt(.linger, 0)
        vanishing.socket.close()

        // 1.5 s of chat, across the stalled client's timeout.
        let start = ContinuousClock.now
        var round = 0
        while ContinuousClock.now - start < .milliseconds(1_500) {
            round += 1
            let sent = ContinuousClock.now
            try alice.send(.send(to: "Bob", text: "ping \(round)"))
            #expect(try bob.receiveMessage() == .deliver(from: "Alice", text: "ping \(round)"))
            try bob.send(.send(to: "Alice", text: "pong \(round)"))
            #expect(try alice.receiveMessage() == .deliver(from: "Bob", text: "pong \(round)"))
            #expect(ContinuousClock.now - sent < .milliseconds(500), "round \(round) took too long")
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(round > 20)

        #expect(try greedy.receiveMessage()?.errorCode == .tooLarge)
        #expect(try greedy.receive() == nil)
        #expect(try stalled.receiveMessage()?.errorCode == .timeout)
        #expect(try stalled.receive() == nil)
        // Garbage is answered frame by frame as it happens to read (mostly unknown-type), until it stops making sense.
        while let frame = try garbage.receive() { #expect(frame.type == .error) }
        try alice.send(.list)
        #expect(try alice.receiveMessage() == .users(["Alice", "Bob"]))
    }

    /// 20 clients send 200 messages each, to each other, in pieces cut at random points and interleaved at random
    /// across the connections: every message arrives once, and each sender's in the order sent.
    @Test func twentyClientsTwoHundredMessagesEach() throws {
        let (router, port) = try startServer("lab5-router-solution", ["--quiet"])
        defer { router.stop() }
        let count = 20
        let perClient = 200
        let names = (0..<count).map { "client\($0)" }
        let clients = try names.map { name in
            let client = try FrameClient(port: port)
            try client.logIn(as: name)
            return client
        }
        // Client i's message k goes to client (i + 1 + k % 19) % 20: each client sends 200 and receives 200.
        var streams = (0..<count).map { sender in
            (0..<perClient).flatMap { k in
                Message.send(to: names[(sender + 1 + k % (count - 1)) % count], text: "\(names[sender]) \(k)").frame
                    .encoded()
            }[...]
        }
        var random = SeededRandom(seed: 20_200)
        let started = ContinuousClock.now
        while let sender = streams.indices.filter({ !streams[$0].isEmpty }).randomElement(using: &random) {
            let piece = streams[sender].prefix(Int.random(in: 1...700, using: &random))
            try clients[sender].send(bytes: Array(piece))
            streams[sender] = streams[sender].dropFirst(piece.count)
        }
        for (receiver, client) in clients.enumerated() {
            var next: [String: Int] = [:]
            for _ in 0..<perClient {
                guard case .deliver(let from, let text)? = try client.receiveMessage() else {
                    Issue.record("client \(receiver) got something other than DELIVER")
                    return
                }
                let parts = text.split(separator: " ")
                let k = Int(parts[1])!
                #expect(parts[0] == from)
                #expect(
                    (names.firstIndex(of: from)! + 1 + k % (count - 1)) % count == receiver,
                    "delivered to the wrong client"
                )
                #expect(
                    k > next[from, default: -1],
                    "\(from)'s message \(k) arrived after its message \(next[from, default: -1])"
                )
                next[from] = k
            }
            // Exactly 200, no more: a PING's PONG is the next frame.
            try client.send(.ping([7]))
            #expect(try client.receiveMessage() == .pong([7]))
        }
        let elapsed = ContinuousClock.now - started
        print("20 clients × 200 messages through the router: \(elapsed)")
    }

    /// Streams of random frames, cut at random points and interleaved across 50 connections at a time, 200 streams
    /// in all: each connection gets exactly the answers its frames call for, in order.
    @Test func randomStreamsCutAnywhereGetTheirAnswersInOrder() throws {
        let (router, port) = try startServer("lab5-router-solution", ["--quiet"])
        defer { router.stop() }
        var random = SeededRandom(seed: 0x5EED_0005)
        for batch in 0..<4 {
            var streams: [ArraySlice<UInt8>] = []
            var expected: [[Frame]] = []
            let clients = try (0..<50).map { _ in try FrameClient(port: port) }
            for _ in clients {
                var bytes: [UInt8] = []
                var answers: [Frame] = []
                for _ in 0..<Int.random(in: 0...12, using: &random) {
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0, 1:
                        let body = (0..<Int.random(in: 0...300, using: &random)).map { _ in
                            UInt8.random(in: 0...255, using: &random)
                        }
                        bytes += Frame(.ping, body: body).encoded()
                        answers.append(Frame(.pong, body: body))
                    case 2:
                        bytes += Frame(FrameType(UInt16.random(in: 0x0100...0xFFFE, using: &random)), text: "?")
                            .encoded()
                        answers.append(Frame(.error, text: "unknown-type\n"))
                    default:
                        bytes += Frame(.list).encoded()
                        answers.append(Frame(.error, text: "not-logged-in\n"))
                    }
                }
                streams.append(bytes[...])
                expected.append(answers)
            }
            while let index = streams.indices.filter({ !streams[$0].isEmpty }).randomElement(using: &random) {
                let piece = streams[index].prefix(Int.random(in: 1...64, using: &random))
                try clients[index].send(bytes: Array(piece))
                streams[index] = streams[index].dropFirst(piece.count)
            }
            for (index, client) in clients.enumerated() {
                for answer in expected[index] {
                    let got = try #require(try client.receive(), "batch \(batch) stream \(index) ended early")
                    if answer.type == .error {
                        #expect(
                            got.type == .error && got.body.starts(with: answer.body),
                            "batch \(batch) stream \(index)"
                        )
                    } else {
                        #expect(got == answer, "batch \(batch) stream \(index)")
                    }
                }
                try client.send(.bye)
                #expect(try client.receive() == nil, "batch \(batch) stream \(index): more answers than frames")
            }
        }
    }

    /// The frame format is all a client needs: Python's socket and struct modules are enough.
    @Test(.requires(tool: "python3")) func aPythonClientSpeaksTheFrameFormat() throws {
        let (router, port) = try startServer("lab5-router-solution")
        defer { router.stop() }
        let output = try runPeer(
            "python3",
            [
                "-c",
                """
                import socket, struct
                def frame(kind, body=b''):
                    return struct.pack('!HI', kind, len(body)) + body
                def receive(s):
                    def exactly(n):
                        data = b''
                        while len(data) < n:
                            chunk = s.recv(n - len(data))
                            if not chunk: raise EOFError
                            data += chunk
                        return data
                    kind, length = struct.unpack('!HI', exactly(6))
                    return hex(kind), exactly(length)
                kim = socket.create_connection(('127.0.0.1', \(port)))
                lee = socket.create_connection(('127.0.0.1', \(port)))
                kim.sendall(frame(1, 'Kim'.encode())); print(receive(kim))
                lee.sendall(frame(1, 'Lee'.encode())); print(receive(lee))
                kim.sendall(frame(2, b'Lee\\nhello') + frame(4) + frame(5, bytes([0, 255, 10])))
                print(receive(lee)); print(receive(kim)); print(receive(kim))
                lee.sendall(frame(3, b'to all')); print(receive(kim))
                lee.sendall(frame(0x42, b'?')); print(receive(lee))
                kim.sendall(frame(6)); print(kim.recv(100))
                """,
            ]
        )
        #expect(
            output == """
                ('0x81', b'Kim')
                ('0x81', b'Lee')
                ('0x82', b'Kim\\nhello')
                ('0x84', b'Kim\\nLee')
                ('0x85', b'\\x00\\xff\\n')
                ('0x82', b'Lee\\nto all')
                ('0xff', b'unknown-type\\n0x0042 is not a frame type of this protocol')
                b''

                """
        )
    }

    /// Steps 1 and 2 have the student write the codec: the starter programs are built without the kit's own
    /// (FrameKit's encoder and decoder, which the checker and the reference tests use), seeing the protocol's types
    /// only. The reference programs use the students' kind of codec too, written out in Solutions/Lab5Protocol.
    @Test(arguments: ["lab5-router", "lab5-client", "lab5-router-solution", "lab5-client-solution"])
    func theLabProgramsCannotReachTheKitsCodec(program: String) throws {
        let symbols = try runPeer("nm", [try productsDirectory() + "/" + program])
        #expect(symbols.contains("10FrameTypes"), "\(program) should use FrameTypes' Frame and Message")
        #expect(
            !symbols.contains("8FrameKit"),
            "\(program) is linked with FrameKit, the kit's own codec: lab 5's programs must depend on FrameTypes only"
        )
    }

    /// The diagrams committed in the lab's folder, and embedded in its handout, are what the code draws: `make
    /// diagrams` regenerates them, and this test fails when someone changed a model and forgot.
    @Test(arguments: [("lab5-router-solution", "receiver"), ("lab5-client-solution", "greeter")])
    func committedDiagramsAreWhatTheCodeDraws(program: String, diagram: String) throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Labs/05-framed-protocol")
        let handout = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        for format in ["mermaid", "dot"] {
            let drawn = try runProgram(program, ["--diagram", format]).standardOutput
            let file = "\(diagram).\(format == "mermaid" ? "mmd" : "dot")"
            let committed = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(committed == drawn, "Labs/05-framed-protocol/\(file) is out of date: run `make diagrams`")
            if format == "mermaid" {
                let embedded = "<!-- \(file): generated by make diagrams -->\n```mermaid\n\(drawn)```\n"
                #expect(handout.contains(embedded), "the handout's copy of \(file) is out of date: run `make diagrams`")
            }
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(diagram).svg").path))
    }
}

extension Message {
    var errorCode: ErrorCode? {
        if case .error(let code, _) = self { code } else { nil }
    }
}
