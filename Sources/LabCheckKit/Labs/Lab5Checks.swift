import Foundation
import FrameKit
import LabSupport
import SocketKit
import Synchronization

/// Lab 5 · Framed protocol: the codec and the chat in the client (steps 1–3), the router's receiver model in virtual
/// time (4), the router one idea at a time (5–12), the greeting as a DEVS model in virtual time (13) and through the
/// router (14). The checker's frames are FrameKit's, the kit's own codec, which the students' programs cannot use.
let lab5 = Lab(
    number: 5,
    title: "Framed protocol",
    folder: "05-framed-protocol",
    programs: ["router", "client"],
    steps: [
        Step(
            1,
            "encode: the client's HELLO, byte for byte",
            hint:
                "2 bytes of type, 4 bytes of body length, most significant byte first, then the body: the name in UTF-8",
            moreHints: [
                "The header is 6 bytes: the type's 2 (`UInt8(type >> 8)`, then `UInt8(type & 0xFF)`) and the length's 4, from its highest byte down (shift right by 24, 16, 8, 0 and keep the low 8 bits). The length counts the body's bytes — `frame.body.count`, and \"김영희\" is 9 bytes, not 3 characters. RouterConnection.send: `try socket.sendAll(try encode(message.frame))`.",
                "The length, written out: `let length = UInt32(frame.body.count)`, then `bytes.append(UInt8(length >> 24))`, `UInt8(length >> 16 & 0xFF)`, `UInt8(length >> 8 & 0xFF)`, `UInt8(length & 0xFF)`, and last `bytes += frame.body`.",
            ]
        ) { check in
            try expectHelloFrames(check, names: ["Kim", "김영희", String(repeating: "x", count: 32)])
        },
        Step(
            2,
            "decode: the client reads a frame however it is split",
            hint:
                "feed every recv to the FrameReader, and take a frame only once all 6 + length bytes are in; a header over the limit is too-large at once",
            moreHints: [
                "FrameReader keeps one [UInt8] buffer (and where its unread bytes start). next(): fewer than 6 bytes → nil; read type and length from the first 6; length over bodyLimit → throw FrameError.tooLarge at once, and on every later call; fewer than 6 + length bytes → nil; else return the frame and move past it. receiveMore: `let chunk = try socket.recv(65536)`; empty → the end of the stream: false, or throw Failure(\"the router closed the connection in the middle of a frame\") if reader.bufferedCount > 0; else reader.feed(chunk).",
                "Reading the header at `start`: `let type = UInt16(buffer[start]) << 8 | UInt16(buffer[start + 1])` and `let length = buffer[start + 2..<start + 6].reduce(0) { $0 << 8 | Int($1) }`; the body is `Array(buffer[start + 6..<start + 6 + length])`.",
            ]
        ) { check in
            // WELCOME one byte at a time: the client must keep what it has until the frame is whole.
            let (client, router) = try clientLoggingIn(check)
            try router.sendInPieces(Frame(.welcome, text: "Kim").encoded(), sizes: [1])
            try client.waitForLine(
                containing: "logged in as Kim",
                waitingFor: "\"logged in as Kim\" after WELCOME \"Kim\" came a byte at a time"
            )

            // Each of these answers to HELLO makes the client stop, saying why.
            let refusal = Message.error(code: .nameTaken, message: "Kim is already logged in").frame.encoded()
            let answers: [(bytes: [UInt8], sizes: [Int], what: String, says: String)] = [
                (
                    refusal, [2, 5, 3, 100], "ERROR name-taken cut inside its header and its body",
                    "the router refused the name \"Kim\": name-taken: Kim is already logged in"
                ),
                (
                    Array(Frame(.welcome, text: "Kim").encoded().prefix(7)), [3, 4],
                    "7 bytes of a 9-byte WELCOME, then the end of the stream",
                    "the router closed the connection in the middle of a frame"
                ),
                (
                    [0x00, 0x81, 0x00, 0x01, 0x86, 0xA0], [6],
                    "a header announcing 100000 bytes of body (over the 65536 a client takes)",
                    "frame body of 100000 bytes is over the limit of 65536"
                ),
            ]
            for answer in answers {
                let (client, router) = try clientLoggingIn(check)
                try router.sendInPieces(answer.bytes, sizes: answer.sizes)
                if answer.says.contains("closed the connection") { router.close() }
                try expectExit(of: client, saying: answer.says, after: answer.what)
            }
        },
        Step(
            3,
            "chat: the keyboard and the router on one selector",
            hint:
                "one selector on the socket and standard input; after each recv, print every message the reader holds (one recv may bring several)",
            moreHints: [
                "`let selector = try Selector<Bool>(.poll)`; register router.socket and `fileDescriptor: 0` (standard input), each for .read with a data that tells them apart. In the loop: the router's turn is router.receiveMore() then `while let message = try router.buffered() { print(describe(message)) }`; the keyboard's is FileHandle.standardInput.availableData, cut into lines with Lines, each sent as command(for: line).",
                "The end: availableData empty means the input has ended — send BYE; after /quit (or that BYE) unregister standard input (`selector.unregister(fileDescriptor: 0)`) and keep reading until receiveMore() returns false: then return.",
            ]
        ) { check in
            let long = "to everyone: " + String(repeating: "abcdefghij", count: 30)
            try expectChatClient(
                check,
                received: [
                    .deliver(from: "Lee", text: "hello"), .deliver(from: "Lee", text: "how are you?"),
                    .users(["Kim", "Lee"]),
                    .error(code: .noSuchUser, message: "nobody called Park is logged in"),
                    .deliver(from: "Park, Jimin", text: String(repeating: "long ", count: 80)),
                    .deliver(from: "Lee", text: ""),
                ],
                typed: [
                    ("@Lee hi there", .send(to: "Lee", text: "hi there")), ("/list", .list),
                    ("@Park, Jimin: hello", .send(to: "Park, Jimin", text: "hello")), (long, .broadcast(long)),
                ]
            )
        },
        Step(
            4,
            "the receiver model, in virtual time",
            hint:
                "the diagram's phases and arrows, exactly: each ?bytes goes where ReceiverState's conditions say (frameReady, tooLarge, headerIncomplete, bodyIncomplete, nothingBuffered)",
            moreHints: [
                "Arrow by arrow: from IDLE, ?bytes has five (frame ready → DELIVER, taking the frame with `action: { s, _ in s.takeFrame() }`; too large → FAIL; header incomplete → HEADER; body incomplete → BODY; nothing buffered → IDLE), from HEADER four (not IDLE), from BODY two (frame ready, body incomplete). ?eof: IDLE → CLOSED; HEADER and BODY → FAIL, setting `s.failure = .truncated`. DELIVER has five internal arrows, one per condition, each emitting `.frame($0.current)`; FAIL → CLOSED emits `.error($0.failure ?? .truncated)`; CLOSED takes ?bytes and ?eof back to itself. And FrameReader.announcedLength: the header's length once its 6 bytes are in.",
                "A helper keeps the ?bytes arrows short: `func classify(from phase: String, to outcomes: [String]) -> [ReceiverTransition]`, mapping each outcome to `.external(from: phase, on: \"bytes\", when: Condition(\"header incomplete\") { s, _ in s.headerIncomplete }, to: \"HEADER\")` and its like; a stream cut short: `.external(from: \"BODY\", on: \"eof\", to: \"FAIL\", action: { s, _ in s.failure = .truncated })`.",
            ],
            needs: [2]
        ) { check in
            for script in receiverScripts {
                let run = try check.run("router", script.arguments)
                try expectLines(
                    run.outputLines,
                    equal: script.trace,
                    from: "lab5-router " + script.arguments.map(shellQuoted).joined(separator: " ")
                )
            }
        },
        Step(
            5,
            "router: accept, read into the receiver model, close",
            hint:
                "lab 4's accept loop; each recv goes to that connection's receiver (?bytes, or ?eof when recv returns 0); close at the end of the stream",
            moreHints: [
                "acceptWaiting: each accepted socket non-blocking, .noDelay, registered with `Connection(socket:address:receiver:)` whose receiver is `Receiver(model, state: ReceiverState(reader: FrameReader(bodyLimit: settings.maxBody)), at: clock.now())`. receive: `let count = try conn.socket.recvInto(&buffer)` (would-block: return; another error: close); the input is `count == 0 ? .eof : .bytes(Array(buffer[..<count]))`; its outputs go to handle; at the end of the stream, close.",
                "Feeding the model: `let outputs = try conn.receiver.receive(input, at: clock.now(), trace: tracer(for: conn))` (an error: close the connection, saying the model stopped). close, once only (`guard !conn.isClosed else { return }`): unregister the socket before closing it, mark the connection `.closed`, `updateDeadline(conn)` so that the loop forgets its deadline, then log \"\\(conn.label) left: \\(reason)\".",
            ]
        ) { check in
            let (router, port) = try check.startServer("router", ["--trace"])
            let ann = try check.connectToRouter(port, label: "Ann")
            let annAddress = try ann.address()
            try router.waitForLine(
                containing: "connection from \(annAddress)",
                waitingFor: "\"connection from \(annAddress)\" once Ann connected"
            )

            // The start of a frame, in pieces: the trace shows Ann's receiver taking them in. (Whole frames are
            // for step 6, which routes what the receiver delivers.)
            try ann.sendInPieces(Array(Frame(.ping, text: "hi").encoded().prefix(7)), sizes: [3, 4])
            try router.waitForLine(
                containing: "?bytes(",
                waitingFor: "a --trace line of Ann's receiver taking the bytes she sent"
            )
            try router.waitForLine(
                containing: "→ BODY  ?bytes(",
                waitingFor: "the --trace line of Ann's receiver in BODY, once a whole header had come"
            )

            // Twenty at once, each accepted; then each closes, and the router says so.
            let crowd = try (1...20).map { try check.connectToRouter(port, label: "client \($0)") }
            for peer in crowd {
                let address = try peer.address()
                try router.waitForLine(
                    containing: "connection from \(address)",
                    waitingFor: "\"connection from \(address)\": 20 clients connected at once"
                )
            }
            for (index, peer) in crowd.enumerated() {
                let address = try peer.address()
                if index % 2 == 0 { peer.close() } else { peer.reset() }
                try router.waitForLine(
                    containing: "\(address) left",
                    waitingFor:
                        "\"\(address) left: …\" once it \(index % 2 == 0 ? "closed its connection" : "reset its connection")"
                )
            }
            ann.close()
            try router.waitForLine(
                containing: "BODY → FAIL  ?eof  \(annAddress)",
                waitingFor: "the --trace line of Ann's receiver taking ?eof in the middle of her frame"
            )
            try router.waitForLine(
                containing: "\(annAddress) left",
                waitingFor: "\"\(annAddress) left: …\" once Ann closed her connection in the middle of a frame"
            )
            let late = try check.connectToRouter(port, label: "late")
            let lateAddress = try late.address()
            try router.waitForLine(
                containing: "connection from \(lateAddress)",
                waitingFor: "\"connection from \(lateAddress)\" after the others had gone"
            )
        },
        Step(
            6,
            "router: PING → PONG",
            hint:
                "handle each !frame with route; send appends the encoded frame to the connection's outbox, and the loop flushes it",
            moreHints: [
                "Each !frame the receiver outputs goes to route(_:from:) (stop once the connection is no longer open); route reads it with `try Message(frame)` and answers `.ping(let body)` with `.pong(body)` through send(_:to:). send never writes to the socket: it appends the encoded frame to conn.outbox and marks the connection; the loop's flushAll() sends what the socket takes.",
                "In handle: `if case .frame(let frame) = output.value { try route(frame, from: conn) }`. In send: `guard !conn.isClosed else { return }`, `conn.outbox.append(try encode(message.frame))`, `markUnflushed(conn)`.",
            ]
        ) { check in
            try expectPongs(
                check,
                bodies: [Array("abc".utf8), [], [0x00, 0xFF, 0x0A, 0x80]],
                dribbled: Array("one byte at a time".utf8),
                big: (0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            )
        },
        Step(
            7,
            "router: a client that reads slowly",
            hint:
                "watch for .write while bytes wait in the outbox (and only then), so the rest goes out as the client reads; over --max-queue bytes waiting, close the connection",
            moreHints: [
                "flush sends what the socket takes; the rest waits in the outbox, and only a .write event brings the loop back to flush it again (the given run() marks the connection on .write). So watch(conn): .read while conn.status is .open or .lingering, .write while the outbox holds bytes — and call selector.modify only when that differs from conn.events. In send, after appending: over settings.maxQueue bytes waiting, close the connection instead.",
                "In watch, once the events are worked out: `guard events != conn.events, !events.isEmpty else { return }`, then `try selector.modify(conn.socket, events: events)` and remember them in conn.events (an error: close). In send: `if conn.outbox.count > settings.maxQueue { return try close(conn, because: \"it reads too slowly\") }`.",
            ]
        ) { check in
            // Ann sends 12 MB of PINGs without reading, then reads: every PONG must come, though most of them had to
            // wait in the router's outbox until her socket could take them. (While she does not read, the system
            // keeps a few hundred kB for her at most: her receive buffer does not grow until she reads.)
            let (router, port) = try check.startServer("router", ["--max-queue", "16000000", "--trace"])
            let ann = try check.connectToRouter(port, label: "Ann", chaotic: true)
            let annAddress = try ann.address()
            let pings = floodOfPings + [Frame(.ping, text: "last")]
            var flood: [UInt8] = []
            // Not joined(): unoptimized generic code would take seconds.
            for ping in pings { flood += ping.encoded() }
            try ann.send(flood)
            try router.waitForLine(
                containing: "!frame(PING \"last\")",
                timeout: .seconds(10),
                waitingFor: "the --trace line of Ann's last PING (after 12 MB of them), delivered by her receiver"
            )
            check.note(
                "the router has read all of Ann's PINGs: most of their PONGs wait in its outbox for \(annAddress)"
            )
            for (index, ping) in pings.enumerated() {
                let pong = try ann.receiveFrame(
                    timeout: .seconds(5),
                    waitingFor: "PONG \(index + 1) of \(pings.count), once Ann read again",
                    stuck:
                        "\(index) of \(pings.count) PONGs came, and the rest may be waiting unsent in the outbox: is the socket watched for .write while bytes wait (watch), so that flush runs when it can take more?"
                )
                try expect(
                    pong == Frame(.pong, body: ping.body),
                    "PONG \(index + 1) of \(pings.count) should have had the body of PING \(index + 1), but it was \(pong.description(limit: 20))"
                )
            }

            // Bea sends as much and never reads: once more than --max-queue bytes wait for her, she is disconnected,
            // and Cy, who reads, is answered all along.
            let (_, tightPort) = try check.startServer("router", ["--max-queue", "100000"])
            let bea = try check.connectToRouter(tightPort, label: "Bea")
            let cy = try check.connectToRouter(tightPort, label: "Cy", chaotic: true)
            try bea.socket.setSockOpt(.receiveBufferSize, 4096)
            let beaFlood = Array(flood.dropLast(Frame(.ping, text: "last").encoded().count))
            let beaSent = Mutex<Result<Void, any Error>?>(nil)
            Thread {
                do {
                    try bea.send(beaFlood)
                    beaSent.withLock { $0 = .success(()) }
                } catch { beaSent.withLock { $0 = .failure(error) } }
            }.start()
            let started = ContinuousClock.now
            var round = 0
            while beaSent.withLock({ $0 }) == nil, ContinuousClock.now - started < .seconds(10) {
                round += 1
                try cy.send(.ping(Array("round \(round)".utf8)))
                try cy.expect(
                    .pong(Array("round \(round)".utf8)),
                    waitingFor: "Cy's PONG while Bea floods the router without reading",
                    stuck: "a client that does not read must hold up nobody"
                )
            }
            guard case .failure? = beaSent.withLock({ $0 }) else {
                throw CheckFailure(
                    "Bea sent 12 MB of PINGs and never read a PONG, yet the router kept her connection (with --max-queue 100000): once more than --max-queue bytes wait for a client, close it"
                )
            }
        },
        Step(
            8,
            "router: HELLO and WELCOME, and names",
            hint:
                "HELLO → WELCOME, or ERROR bad-name / name-taken (the connection stays usable); a name is free again once its connection has closed",
            moreHints: [
                "route: `case .hello(let name): try logIn(conn, as: name)`, and around `try Message(frame)` a `catch` that answers `.error(code: error.code, message: error.description)` — Message's errors carry the protocol's code (bad-name for an empty name, say). logIn: ERROR bad-name when conn.name is set already, name-taken when clients[name] exists; else conn.name = name, clients[name] = conn, WELCOME.",
                "close(_:because:) forgets the name — `forgetName(of: conn)`, given — however the connection ends: a reset comes through close too (recv throws).",
            ]
        ) { check in
            try expectLogIns(check, ["Kim", "Lee", "Park"])
        },
        Step(
            9,
            "router: relay SEND, BROADCAST and LIST, in order, to the right clients",
            hint:
                "the connection a frame came from says who sent it, the name in it where it goes; one outbox per connection keeps each sender's frames in order",
            moreHints: [
                "route: `case .send, .broadcast, .list: try relay(message, from: conn)`. relay: the sender is conn.name; SEND looks the recipient up in clients (none: ERROR no-such-user) and sends it DELIVER; BROADCAST goes to every client but conn; LIST answers conn with USERS.",
                "`try send(.deliver(from: sender, text: text), to: recipient)`; `for other in clients.values where other !== conn { … }`; `.users(clients.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })`.",
            ]
        ) { check in
            try expectRelay(
                check,
                names: ["Kim", "Lee", "Park", "Vanishing"],
                texts: ["hi Lee", "two\nlines", "hello all"]
            )
        },
        Step(
            10,
            "router: BYE, and leaving politely",
            hint:
                "finish: read no more and forget the name, send what is owed, then linger: shutdown(.write), and read until the client closes",
            moreHints: [
                "route: BYE → `try finish(conn, because: \"said BYE\")`. finish, only while conn.isOpen: status .closing, `conn.closeBy = clock.now() + settings.flushTime`, forgetName, updateDeadline, markUnflushed. Once the outbox is empty the given flushAll calls linger: shutdown(.write) (an error: close), status .lingering, closeBy = now + settings.linger, updateDeadline. And receive: at the end of the stream, finish rather than close while the outbox still holds bytes.",
                "finish must not unregister: the loop still needs the .write events that send what is owed. Only close unregisters — and the given expireDeadlines closes a closing or lingering connection once its closeBy has passed, however slowly the client reads.",
            ]
        ) { check in
            let (router, port) = try check.startServer("router", ["--max-queue", "16000000", "--trace"])
            let lee = try check.connectToRouter(port, label: "Lee", chaotic: true)
            let park = try check.connectToRouter(port, label: "Park", chaotic: true)
            try lee.logIn(as: "Lee")
            try park.logIn(as: "Park")
            // What Park is owed arrives, then the end of the stream; what Park sent after BYE is not answered.
            try park.send(
                [Message.send(to: "Lee", text: "bye Lee"), .list, .bye, .ping([1])].flatMap { $0.frame.encoded() }
            )
            try lee.expect(
                .deliver(from: "Park", text: "bye Lee"),
                waitingFor: "Park's last SEND, sent just before BYE"
            )
            try park.expect(.users(["Lee", "Park"]), waitingFor: "USERS: Park's LIST came before its BYE")
            let rest = try park.receiveUntilClosed(
                waitingFor: "the router to close Park's connection after BYE (finish, then linger: shutdown(.write))"
            )
            try expect(
                rest.isEmpty,
                "after BYE the router sent \(show(rest)), and should have closed (a PING after BYE is not answered)"
            )
            park.close()
            let again = try check.connectToRouter(port, label: "Park again", chaotic: true)
            try again.logIn(as: "Park")  // the name was freed by BYE

            // Ann sends 12 MB of PINGs and the end of her stream at once, and reads only then: the router must not
            // close before she has all her PONGs, most of which wait in its outbox (--max-queue 16000000).
            let ann = try check.connectToRouter(port, label: "Ann", chaotic: true)
            let annAddress = try ann.address()
            let pings = floodOfPings
            var bytes: [UInt8] = []
            for ping in pings { bytes += ping.encoded() }
            try ann.send(bytes)
            try ann.shutdownWrite()
            try router.waitForLine(
                containing: "?eof  \(annAddress)",
                timeout: .seconds(10),
                waitingFor: "the --trace line of Ann's receiver taking ?eof"
            )
            for (index, ping) in pings.enumerated() {
                try ann.expect(
                    Frame(.pong, body: ping.body),
                    waitingFor: "PONG \(index + 1) of \(pings.count) after Ann ended her stream",
                    stuck:
                        "a client that ends its stream while it is still owed frames must get them: finish it, do not close it"
                )
            }
            let after = try ann.receiveUntilClosed(
                waitingFor: "the router to close Ann's connection once she had her PONGs"
            )
            try expect(after.isEmpty, "after the PONGs the router sent \(show(after)), and should have closed")
        },
        Step(
            11,
            "router: errors, and clients that misbehave hurt nobody else",
            hint:
                "ERROR with the right code and the connection stays usable — except too-large: the stream can no longer be trusted, finish it",
            moreHints: [
                "route, first of all: `if let refusal = refusal(of: frame, from: conn) { return try send(refusal, to: conn) }`. refusal switches on frame.type: SEND, BROADCAST or LIST without conn.name → ERROR not-logged-in; HELLO, PING and BYE → nil; anything else → ERROR unknown-type. handle: `!error(too-large)` → ERROR too-large, then finish — never close at once: the client is still sending, and a close would reset the connection before it reads the ERROR.",
                "In refusal: `case .send, .broadcast, .list: return conn.name == nil ? .error(code: .notLoggedIn, message: \"send HELLO with your name first\") : nil` and `default: return .error(code: .unknownType, message: \"\\(frame.type) is not a frame a client sends\")`. In handle: `case .error(.tooLarge): try send(.error(code: .tooLarge, message: …), to: conn); try finish(conn, because: …)`.",
            ]
        ) { check in
            let (_, port) = try check.startServer("router", ["--max-body", "1000"])
            let ann = try check.connectToRouter(port, label: "Ann", chaotic: true)
            let bob = try check.connectToRouter(port, label: "Bob", chaotic: true)
            try bob.logIn(as: "Bob")
            var round = 0
            func stillChatting(_ after: String) throws {
                round += 1
                try bob.send(.send(to: "Bob", text: "round \(round)"))
                try bob.expect(
                    .deliver(from: "Bob", text: "round \(round)"),
                    waitingFor: "Bob's message to himself after \(after)",
                    stuck: "one client's mistakes must not stop the router serving the others"
                )
            }

            for (frame, what) in [
                (Message.send(to: "Bob", text: "hi").frame, "SEND"), (Frame(.broadcast, text: "hi"), "BROADCAST"),
                (Frame(.list), "LIST"), (Frame(.send, text: "no newline"), "a SEND without a newline"),
            ] {
                try ann.send(frame)
                try ann.expectError(.notLoggedIn, after: "\(what) before HELLO")
            }
            try ann.send(Frame(FrameType(0x0042), text: "?"))
            try ann.expectError(.unknownType, after: "a frame of type 0x0042")
            try ann.send(Message.deliver(from: "Bob", text: "hi").frame)
            try ann.expectError(.unknownType, after: "a DELIVER (the router's to send, not a client's)")
            try ann.logIn(as: "Ann")  // still usable
            try ann.send(Frame(.send, text: "no newline"))
            try ann.expectError(.noSuchUser, after: "a SEND without the newline between name and text")
            try ann.send(Frame(.ping, body: Array(repeating: 7, count: 1000)))
            try ann.expect(
                Frame(.pong, body: Array(repeating: 7, count: 1000)),
                waitingFor: "PONG for a body of exactly --max-body 1000"
            )
            try stillChatting("Ann's mistakes")

            for (length, what) in [(UInt32(1001), "1001 bytes, over --max-body 1000"), (0xFFFF_FFFF, "4 GiB")] {
                let greedy = try check.connectToRouter(port, label: "greedy", chaotic: true)
                try greedy.send(
                    [0x00, 0x05] + withUnsafeBytes(of: length.bigEndian, Array.init) + Array(repeating: 1, count: 100)
                )
                try greedy.expectError(.tooLarge, after: "a header claiming a body of \(what)")
                let rest = try greedy.receiveUntilClosed(
                    waitingFor: "the router to close the connection after too-large"
                )
                try expect(rest.isEmpty, "after ERROR too-large the router sent \(show(rest)), and should have closed")
                greedy.close()
                try stillChatting("a client claiming \(what)")
            }

            let garbage = try check.connectToRouter(port, label: "garbage", chaotic: true)
            try garbage.send((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
            garbage.reset()
            try stillChatting("a client sending 2000 bytes of garbage and vanishing")
        },
        Step(
            12,
            "router: a frame that stops halfway times out",
            hint:
                "HEADER and BODY @frame-timeout, kept from the frame's first byte; when the loop wakes for a deadline, expire advances that receiver; then ERROR timeout and finish",
            moreHints: [
                "In receiverModel: `Phase(\"HEADER\", .after(frameTimeout))` (BODY too), an internal arrow from each to CLOSED emitting `.error(.timeout)`, and `keepingDeadline: true` on every ?bytes arrow from HEADER or BODY to HEADER or BODY. In handle: `!error(timeout)` → ERROR timeout, then finish; after the outputs, always `updateDeadline(conn)`, so that the loop knows when to wake for this connection.",
                "expire: `let outputs = try conn.receiver.advance(to: now, trace: tracer(for: conn))` (an error: close the connection), then `try handle(outputs, from: conn)`. The timeout arrow: `.internal(from: \"HEADER\", output: \"error\", emit: { _ in .error(.timeout) }, to: \"CLOSED\")`.",
            ]
        ) { check in
            for script in timeoutScripts {
                let run = try check.run("router", script.arguments)
                try expectLines(
                    run.outputLines,
                    equal: script.trace,
                    from: "lab5-router " + script.arguments.map(shellQuoted).joined(separator: " ")
                )
            }

            let (router, port) = try check.startServer("router", ["--frame-timeout", "1", "--trace"])
            let ann = try check.connectToRouter(port, label: "Ann")
            try ann.logIn(as: "Ann")

            // Three clients that stop halfway, at once.
            let ping = Frame(.ping, text: "0123456789").encoded()
            let stalls: [(bytes: [UInt8], what: String, dribble: Bool)] = [
                (Array(ping.prefix(3)), "half a header, then nothing", false),
                (Array(ping.prefix(10)), "a header and part of its body, then nothing", false),
                (ping, "a frame sent a byte every 250 ms (the deadline runs from the frame's first byte)", true),
            ]
            let started = ContinuousClock.now
            var stalled: [(Peer, String)] = []
            for stall in stalls {
                let peer = try check.connectToRouter(port, label: stall.what)
                if stall.dribble {
                    Thread { try? peer.sendInPieces(stall.bytes, sizes: [1], pause: .milliseconds(250)) }.start()
                } else {
                    try peer.send(stall.bytes)
                }
                stalled.append((peer, stall.what))
            }
            // Meanwhile, a frame whose two parts come within the deadline is fine.
            try ann.send(Array(ping.prefix(4)))
            Thread.sleep(forTimeInterval: 0.5)
            try ann.send(Array(ping.dropFirst(4)))
            try ann.expect(
                Frame(.pong, text: "0123456789"),
                waitingFor: "PONG for a frame sent in two parts 0.5 s apart"
            )

            for (peer, what) in stalled {
                try peer.expectError(.timeout, timeout: .seconds(3), after: what)
                let elapsed = ContinuousClock.now - started
                try expect(
                    elapsed >= .milliseconds(800),
                    "the router timed out \(what) after \(elapsed), before the 1 s of --frame-timeout 1"
                )
                let rest = try peer.receiveUntilClosed(
                    waitingFor: "the router to close the connection after ERROR timeout"
                )
                try expect(rest.isEmpty, "after ERROR timeout the router sent \(show(rest)), and should have closed")
                peer.close()
            }

            // Ann has had no frame under way since 0.5 s: idle is not stalled.
            Thread.sleep(forTimeInterval: max(0, 2.1 - Check.seconds(ContinuousClock.now - started)))
            try ann.send(.ping([]))
            try ann.expect(
                .pong([]),
                waitingFor: "PONG after more than 1 s idle",
                stuck: "an idle client has no frame under way: it must not time out"
            )

            for (text, why) in [
                ("IDLE → HEADER", "a frame's first bytes"), ("HEADER → CLOSED  !error(timeout)", "the timeout"),
            ] {
                try router.waitForLine(containing: text, waitingFor: "the --trace line \(quoted(text)) for \(why)")
            }
        },
        Step(
            13,
            "the greeting model, in virtual time",
            hint:
                "the diagram's phases, deadlines and transitions exactly: ASK_NAME @0 !ask, WAIT_NAME @wait ?answer / !timeout, …",
            moreHints: [
                "Six phases: ASK_NAME @0, WAIT_NAME @wait, ASK_AGE @0, WAIT_AGE @wait, DONE @∞, GAVE_UP @∞. The ASK phases leave at once by an internal arrow emitting !ask; a WAIT phase takes ?answer, ?refused (→ GAVE_UP, keeping the reason) and, at its deadline, !timeout → GAVE_UP. WAIT_AGE's ?answer has two arrows: [a number] → DONE, `.otherwise` → ASK_AGE. GAVE_UP takes ?answer and ?refused back to itself.",
                "Two of the arrows written out: `.internal(from: \"ASK_NAME\", output: \"ask\", emit: { _ in .ask(Greeting.nameQuestion) }, to: \"WAIT_NAME\")` and `.external(from: \"WAIT_NAME\", on: \"answer\", to: \"ASK_AGE\", action: { state, input in state.name = input.text })`.",
            ],
            needs: []
        ) { check in
            for script in greeterScripts {
                let run = try check.run("client", script.arguments)
                try expectLines(
                    run.outputLines,
                    equal: script.trace,
                    from: "lab5-client " + script.arguments.map(shellQuoted).joined(separator: " ")
                )
            }
        },
        Step(
            14,
            "the whole greeting, through the router",
            hint:
                "the asking person runs the greeter model in real time: select with the model's next deadline as timeout",
            moreHints: [
                "ask: `var greeter = Greeter(try greeterModel(wait: wait), state: GreeterState(), at: clock.now())` and `var outputs = try greeter.advance(to: clock.now())`. Then loop: act on the outputs (!ask: print the line, SEND the question to `other`; !timeout: throw Failure); stop at DONE (sayBye) or GAVE_UP (throw); select until the next deadline; feed what came (DELIVER from `other` → `.answer(text)`, ERROR → `.refused(…)`); advance to now. answer: for each DELIVER, print the question's line, SEND back Greeting.answer(to:name:age:), and after the age question sayBye().",
                "The wait: `try selector.select(timeout: clock.timeout(until: greeter.nextEventTime).map { $0 / .seconds(1) })`; an answer: `outputs += try greeter.receive(.answer(text), at: clock.now(), trace: show)`; after the select, always `outputs += try greeter.advance(to: clock.now(), trace: show)`.",
            ],
            needs: [2, 10, 13]
        ) { check in
            try expectGreetingThroughRouter(check, asker: nil, answerer: nil, age: nil)
        },
    ]
)

// MARK: The checks, their values as parameters: the handout's here, others drawn in the held-back variants

/// Step 1: the checker plays the router, and each run of the client (`--name NAME`) must send HELLO, byte for byte.
public func expectHelloFrames(_ check: Check, names: [String]) throws {
    for name in names {
        let listener = try check.listen()
        let client = try check.start("client", ["--port", String(listener.port), "--name", name])
        let router = try listener.accept(from: client)
        let expected = Frame(.hello, text: name).encoded()
        let got = try router.receive(
            exactly: expected.count,
            waitingFor: "HELLO \"\(name)\" as a frame of \(expected.count) bytes",
            stuck: "does the client send HELLO as soon as it has connected?"
        )
        try expect(got, equals: expected, "the HELLO frame of --name \(name)")
    }
}

/// Step 3: the checker plays the router. It sends `received` cut at awkward places (inside headers, several frames in
/// one piece), which the chat must print in order; then it types each line of `typed` and expects its frame; then
/// /quit, BYE and the end.
public func expectChatClient(_ check: Check, received: [Message], typed: [(line: String, message: Message)]) throws {
    let (client, router) = try clientLoggingIn(check)
    try router.send(.welcome("Kim"))
    try waitForLines(["logged in as Kim"], from: client, after: "WELCOME \"Kim\"")

    try router.sendInPieces(received.flatMap { $0.frame.encoded() }, sizes: [2, 9, 3, 40, 1, 1, 5, 17, 250, 4, 30])
    try waitForLines(
        received.flatMap(printedLines),
        from: client,
        after:
            "\(received.count) frames sent in pieces cut at awkward places (several frames in one piece: take them all)"
    )

    for (line, message) in typed + [("/quit", .bye)] {
        client.type(line + "\n")
        try router.expect(
            message,
            waitingFor: "\(message.frame.description(limit: 30)) after typing \(quoted(line))",
            stuck: "does the client wait on the keyboard and the socket at once (a selector), and send what is typed?"
        )
    }
    router.close()
    try client.waitForExit(timeout: .seconds(3))
}

/// What the chat prints for a message (Lab5Given's `describe`), line by line.
private func printedLines(_ message: Message) -> [String] {
    let text: String
    switch message {
    case .deliver(let from, let body): text = "\(from): \(body)"
    case .users(let names): text = "\(names.count) logged in:" + names.map { "\n  " + $0 }.joined()
    case .error(let code, let body): text = "error \(code.rawValue): \(body)"
    case .welcome(let name): text = "logged in as \(name)"
    default: text = "received \(message)"
    }
    return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

/// Step 6: PINGs of each of `bodies`, one sent a byte at a time (`dribbled`), three in one piece from two clients at
/// once, and one `big`: each must come back as PONG, in order, to its sender. The clients send as a network may
/// deliver: cut in pieces, or several frames in one read.
public func expectPongs(_ check: Check, bodies: [[UInt8]], dribbled: [UInt8], big: [UInt8]) throws {
    let (_, port) = try check.startServer("router")
    let ann = try check.connectToRouter(port, label: "Ann", chaotic: true)
    let bob = try check.connectToRouter(port, label: "Bob", chaotic: true)
    for body in bodies {
        try ann.send(Frame(.ping, body: body))
        try ann.expect(
            Frame(.pong, body: body),
            waitingFor: "PONG with the PING's body, \(show(body))",
            stuck: "is each frame the receiver delivers routed, and the answer sent?"
        )
    }
    try bob.sendInPieces(Frame(.ping, body: dribbled).encoded(), sizes: [1])
    try bob.expect(Frame(.pong, body: dribbled), waitingFor: "PONG for a PING Bob sent a byte at a time")

    // Three in one send, from both at once: each gets its own answers, in order.
    let pings = bodies.prefix(3).enumerated().map {
        Frame(.ping, body: $0.element + Array(" ping \($0.offset + 1)".utf8))
    }
    try ann.send(pings.flatMap { $0.encoded() })
    try bob.send(pings.flatMap { $0.encoded() })
    for peer in [ann, bob] {
        for (index, ping) in pings.enumerated() {
            try peer.expect(
                Frame(.pong, body: ping.body),
                waitingFor: "PONG \(index + 1) of the \(pings.count) PINGs \(peer.label) sent in one piece, in order"
            )
        }
    }
    try ann.send(Frame(.ping, body: big))
    try ann.expect(Frame(.pong, body: big), waitingFor: "the PONG of a PING of \(big.count) bytes")
}

/// Step 8: `names[0]` logs in; `names[1]` sends HELLO a byte at a time, then a second HELLO; a third connection
/// tries the first's name and four bad ones (and must stay usable), then logs in as `names[2]`. Each name is free
/// again once its connection has ended, closed or reset.
public func expectLogIns(_ check: Check, _ names: [String]) throws {
    let (first, second, third) = (names[0], names[1], names[2])
    let (_, port) = try check.startServer("router")
    let one = try check.connectToRouter(port, label: first, chaotic: true)
    try one.logIn(as: first)
    let two = try check.connectToRouter(port, label: second, chaotic: true)
    try two.sendInPieces(Frame(.hello, text: second).encoded(), sizes: [1])
    try two.expect(
        .welcome(second),
        waitingFor: "WELCOME \(quoted(second)) after HELLO \(quoted(second)) sent a byte at a time"
    )
    try two.send(.hello(second + "2"))
    try two.expectError(.badName, after: "a second HELLO on a connection already logged in as \(second)")

    let other = try check.connectToRouter(port, label: "other", chaotic: true)
    try other.send(.hello(first))
    try other.expectError(.nameTaken, after: "HELLO \(quoted(first)) while \(first) is logged in")
    for (name, why) in [
        ([UInt8](), "an empty name"), (Array("Lee\nPark".utf8), "a name with a newline"),
        (Array(repeating: UInt8(ascii: "y"), count: 33), "a 33-byte name"), ([0x4B, 0xFF], "a name that is not UTF-8"),
    ] {
        try other.send(Frame(.hello, body: name))
        try other.expectError(.badName, after: "HELLO with \(why)")
    }
    try other.logIn(as: third)  // the connection is still usable

    // A name is free again once its connection has ended, whether it closed or was reset.
    for (peer, name, how) in [(one, first, "closed"), (two, second, "was reset")] {
        if how == "closed" { peer.close() } else { peer.reset() }
        let again = try check.connectToRouter(port, label: "\(name) again", chaotic: true)
        try retrying(
            for: .seconds(2),
            orFail:
                "\(name)'s connection \(how), but HELLO \(quoted(name)) still gets name-taken: forget a name when its connection closes"
        ) {
            try again.send(.hello(name))
            let reply = try again.receiveFrame(
                waitingFor: "an answer to HELLO \(quoted(name)) after \(name)'s connection \(how)"
            )
            if reply == Message.welcome(name).frame { return true }
            try expect(reply.type == .error, "HELLO \(quoted(name)) was answered with \(reply)")
            return false
        }
    }
}

/// Step 9: three clients logged in as `names[0…2]` SEND (`texts[0]`, then `texts[1]`) and BROADCAST (`texts[2]`),
/// ask for USERS, send to nobody, then two of them send 100 messages each at once; `names[3]` logs in and vanishes.
public func expectRelay(_ check: Check, names: [String], texts: [String]) throws {
    let (first, second, third, vanishing) = (names[0], names[1], names[2], names[3])
    let (_, port) = try check.startServer("router")
    let one = try check.connectToRouter(port, label: first, chaotic: true)
    let two = try check.connectToRouter(port, label: second, chaotic: true)
    let three = try check.connectToRouter(port, label: third, chaotic: true)
    for (peer, name) in [(one, first), (two, second), (three, third)] { try peer.logIn(as: name) }

    try one.send(.send(to: second, text: texts[0]))
    try two.expect(.deliver(from: first, text: texts[0]), waitingFor: "\(first)'s SEND, delivered to \(second)")
    try one.send(.send(to: second, text: texts[1]))
    try two.expect(.deliver(from: first, text: texts[1]), waitingFor: "\(first)'s second SEND, delivered to \(second)")
    try two.send(.broadcast(texts[2]))
    try one.expect(.deliver(from: second, text: texts[2]), waitingFor: "\(second)'s BROADCAST, delivered to \(first)")
    try three.expect(.deliver(from: second, text: texts[2]), waitingFor: "\(second)'s BROADCAST, delivered to \(third)")
    let everyone = [first, second, third].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    try two.send(.list)
    try two.expect(
        .users(everyone),
        waitingFor: "USERS, sorted by their UTF-8 bytes, one per line — and not \(second)'s own BROADCAST"
    )
    try one.send(.send(to: "Nobody", text: "hi"))
    try one.expectError(.noSuchUser, after: "SEND to Nobody, who is not logged in")

    // 200 messages from two senders at once, each sender's in one send: every one once, each sender's in order.
    try one.send((1...100).flatMap { Message.send(to: second, text: "\(first) \($0)").frame.encoded() })
    try three.send((1...100).flatMap { Message.send(to: second, text: "\(third) \($0)").frame.encoded() })
    var next = [first: 1, third: 1]
    for _ in 0..<200 {
        let frame = try two.receiveFrame(waitingFor: "the 200 messages \(first) and \(third) sent \(second)")
        guard case .deliver(let from, let text)? = try? Message(frame), let expected = next[from],
            text == "\(from) \(expected)"
        else {
            throw CheckFailure(
                "\(second) received \(frame), but the next messages due were \(quoted("\(first) \(next[first]!)")) from \(first) and \(quoted("\(third) \(next[third]!)")) from \(third)"
            )
        }
        next[from] = expected + 1
    }

    // A client that vanishes is gone from USERS, and holds up nobody.
    let gone = try check.connectToRouter(port, label: vanishing)
    try gone.logIn(as: vanishing)
    gone.reset()
    try two.send(.send(to: first, text: "still there?"))
    try one.expect(
        .deliver(from: second, text: "still there?"),
        waitingFor: "\(second)'s message, after \(vanishing) reset its connection"
    )
    try retrying(for: .seconds(2), orFail: "\(vanishing) reset its connection, but is still in USERS") {
        try one.send(.list)
        let users = try one.receiveFrame(waitingFor: "USERS after \(vanishing) reset its connection")
        return users == Message.users(everyone).frame
    }
}

/// Step 14: the router, the answering person (`--answer`, as `answerer` aged `age`) and the asking person (`--ask`, as
/// `asker`) — nil: the programs' defaults, Kim, Younghee (22) and Hong, Gil Dong — must both print the whole dialogue
/// and end well; then asking someone who never answers must give up at its deadline, and asking nobody must fail.
public func expectGreetingThroughRouter(_ check: Check, asker: String?, answerer: String?, age: Int?) throws {
    let askerName = asker ?? "Hong, Gil Dong"
    let answererName = answerer ?? "Kim, Younghee"
    let answererAge = age ?? 22
    let askerArguments = asker.map { ["--name", $0] } ?? []
    let (_, port) = try check.startServer("router")
    let answering = try check.start(
        "client",
        ["--port", String(port), "--answer"] + (answerer.map { ["--name", $0] } ?? [])
            + (age.map { ["--age", String($0)] } ?? [])
    )
    try answering.waitForLine(
        containing: "logged in as \(answererName)",
        waitingFor: "\"logged in as \(answererName)\""
    )
    let asking = try check.start("client", ["--port", String(port), "--ask", answererName] + askerArguments)
    let dialogue = [
        "\(askerName): Hi. What is your name?", "\(answererName): My name is \(answererName).",
        "\(askerName): How old are you?", "\(answererName): I am \(answererAge).",
    ]
    for (program, who) in [(asking, "the asking person"), (answering, "the answering person")] {
        try waitForLines(dialogue, from: program, after: "the greeting, printed by \(who)")
        try program.waitForExit(timeout: .seconds(5))
        try expect(
            program.termination == .exited(0),
            "\(who) ended with \(program.termination.map(String.init(describing:)) ?? "?"), after a greeting that went well"
        )
    }

    // Asking someone who never answers: the deadline, not a hang.
    let silent = try check.connectToRouter(port, label: "Silent")
    try silent.logIn(as: "Silent")
    let started = ContinuousClock.now
    let patient = try check.start(
        "client",
        ["--port", String(port), "--ask", "Silent", "--wait", "1"] + askerArguments
    )
    try silent.expect(
        .deliver(from: askerName, text: "what is your name?"),
        waitingFor: "the name question, delivered to Silent"
    )
    try patient.waitForExit(timeout: .seconds(4))
    try expect(patient.termination != .exited(0), "the asking person exited with status 0 though Silent never answered")
    let elapsed = ContinuousClock.now - started
    try expect(elapsed >= .milliseconds(900), "the asking person gave up after \(elapsed), before its --wait 1")

    let lonely = try check.run("client", ["--port", String(port), "--ask", "Nobody"] + askerArguments)
    try expect(
        lonely.termination != .exited(0),
        "asking Nobody (not logged in) should fail: the router answers no-such-user"
    )
}

/// 12 MB of PINGs, each a different byte repeated: more than the system keeps for one connection that does not read
/// (Linux lets a socket's send buffer grow to 4 MB), so most of their PONGs must wait in the router's outbox.
private let floodOfPings = (0..<200).map { index in Frame(.ping, body: [UInt8](repeating: UInt8(index), count: 60_000))
}

/// `lab5-router --simulate …` scripts and the traces the receiver model of the handout's diagram prints for them,
/// deadlines or not (step 4: nothing stays unfinished for long).
private let receiverScripts: [(arguments: [String], trace: [String])] = [
    // A whole frame in one read.
    (
        ["--simulate", "0.412:00 01 00 00 00 03 4B 69 6D"],
        [
            "    0.412s  IDLE → DELIVER  ?bytes(9) [frame ready]",
            #"    0.412s  DELIVER → IDLE  !frame(HELLO "Kim") [nothing buffered]"#,
            "ended in IDLE",
        ]
    ),
    // A byte at a time.
    (
        (0..<9).flatMap { ["--simulate", "1.\($0):" + ["00", "01", "00", "00", "00", "03", "4B", "69", "6D"][$0]] },
        [
            "    1.000s  IDLE → HEADER  ?bytes(1) [header incomplete]",
            "    1.100s  HEADER → HEADER  ?bytes(1) [header incomplete]",
            "    1.200s  HEADER → HEADER  ?bytes(1) [header incomplete]",
            "    1.300s  HEADER → HEADER  ?bytes(1) [header incomplete]",
            "    1.400s  HEADER → HEADER  ?bytes(1) [header incomplete]",
            "    1.500s  HEADER → BODY  ?bytes(1) [body incomplete]",
            "    1.600s  BODY → BODY  ?bytes(1) [body incomplete]",
            "    1.700s  BODY → BODY  ?bytes(1) [body incomplete]",
            "    1.800s  BODY → DELIVER  ?bytes(1) [frame ready]",
            #"    1.800s  DELIVER → IDLE  !frame(HELLO "Kim") [nothing buffered]"#,
            "ended in IDLE",
        ]
    ),
    // Two frames and half a header in one read, the rest later; then the end of the stream.
    (
        [
            "--simulate", "2:00 04 00 00 00 00 00 05 00 00 00 02 68 69 00 06 00", "--simulate", "3:00 00 00",
            "--simulate", "4:eof",
        ],
        [
            "    2.000s  IDLE → DELIVER  ?bytes(17) [frame ready]",
            "    2.000s  DELIVER → DELIVER  !frame(LIST) [frame ready]",
            #"    2.000s  DELIVER → HEADER  !frame(PING "hi") [header incomplete]"#,
            "    3.000s  HEADER → DELIVER  ?bytes(3) [frame ready]",
            "    3.000s  DELIVER → IDLE  !frame(BYE) [nothing buffered]",
            "    4.000s  IDLE → CLOSED  ?eof",
            "ended in CLOSED",
        ]
    ),
    // A header, and a frame's end in the same read as the next frame's header.
    (
        ["--simulate", "0:00 03 00 00 00 02", "--simulate", "0.5:41 42 00 03 00 00 00 01", "--simulate", "0.7:43"],
        [
            "    0.000s  IDLE → BODY  ?bytes(6) [body incomplete]",
            "    0.500s  BODY → DELIVER  ?bytes(8) [frame ready]",
            #"    0.500s  DELIVER → BODY  !frame(BROADCAST "AB") [body incomplete]"#,
            "    0.700s  BODY → DELIVER  ?bytes(1) [frame ready]",
            #"    0.700s  DELIVER → IDLE  !frame(BROADCAST "C") [nothing buffered]"#,
            "ended in IDLE",
        ]
    ),
    // Over --max-body: failed from the header alone, and everything after is ignored.
    (
        ["--max-body", "100", "--simulate", "1:00 05 00 00 00 65", "--simulate", "2:01 02 03", "--simulate", "3:eof"],
        [
            "    1.000s  IDLE → FAIL  ?bytes(6) [too large]",
            "    1.000s  FAIL → CLOSED  !error(too-large)",
            "    2.000s  CLOSED → CLOSED  ?bytes(3)",
            "    3.000s  CLOSED → CLOSED  ?eof",
            "ended in CLOSED",
        ]
    ),
    // The stream ends inside a header, and inside a body.
    (
        ["--simulate", "1:00 05", "--simulate", "1.5:eof"],
        [
            "    1.000s  IDLE → HEADER  ?bytes(2) [header incomplete]",
            "    1.500s  HEADER → FAIL  ?eof",
            "    1.500s  FAIL → CLOSED  !error(truncated)",
            "ended in CLOSED",
        ]
    ),
    (
        ["--simulate", "1:00 05 00 00 00 04 00", "--simulate", "1.5:eof"],
        [
            "    1.000s  IDLE → BODY  ?bytes(7) [body incomplete]",
            "    1.500s  BODY → FAIL  ?eof",
            "    1.500s  FAIL → CLOSED  !error(truncated)",
            "ended in CLOSED",
        ]
    ),
]

/// The receiver's deadlines in virtual time (step 12): per frame, from its first byte.
private let timeoutScripts: [(arguments: [String], trace: [String])] = [
    (
        ["--simulate", "1:00 05 00", "--simulate", "7:eof"],
        [
            "    1.000s  IDLE → HEADER  ?bytes(3) [header incomplete]",
            "    6.000s  HEADER → CLOSED  !error(timeout)",
            "    7.000s  CLOSED → CLOSED  ?eof",
            "ended in CLOSED",
        ]
    ),
    // A byte a second: the deadline is 5 s after the first byte, however recent the last one.
    (
        [
            "--simulate", "1:00", "--simulate", "2:05", "--simulate", "3:00", "--simulate", "4:00", "--simulate",
            "5:00", "--simulate", "6:00", "--simulate", "7:02",
        ],
        [
            "    1.000s  IDLE → HEADER  ?bytes(1) [header incomplete]",
            "    2.000s  HEADER → HEADER  ?bytes(1) [header incomplete]",
            "    3.000s  HEADER → HEADER  ?bytes(1) [header incomplete]",
            "    4.000s  HEADER → HEADER  ?bytes(1) [header incomplete]",
            "    5.000s  HEADER → HEADER  ?bytes(1) [header incomplete]",
            "    6.000s  HEADER → CLOSED  !error(timeout)",
            "    6.000s  CLOSED → CLOSED  ?bytes(1)",
            "    7.000s  CLOSED → CLOSED  ?bytes(1)",
            "ended in CLOSED",
        ]
    ),
    // The header at 0.5 s, part of the body at 3 s, the deadline at 5.5 s; with --frame-timeout 2, a frame done in time.
    (
        ["--simulate", "0.5:00 03 00 00 00 04", "--simulate", "3:41 42", "--simulate", "9:eof"],
        [
            "    0.500s  IDLE → BODY  ?bytes(6) [body incomplete]",
            "    3.000s  BODY → BODY  ?bytes(2) [body incomplete]",
            "    5.500s  BODY → CLOSED  !error(timeout)",
            "    9.000s  CLOSED → CLOSED  ?eof",
            "ended in CLOSED",
        ]
    ),
    (
        ["--frame-timeout", "2", "--simulate", "1:00 04 00", "--simulate", "2.9:00 00 00", "--simulate", "9:eof"],
        [
            "    1.000s  IDLE → HEADER  ?bytes(3) [header incomplete]",
            "    2.900s  HEADER → DELIVER  ?bytes(3) [frame ready]",
            "    2.900s  DELIVER → IDLE  !frame(LIST) [nothing buffered]",
            "    9.000s  IDLE → CLOSED  ?eof",
            "ended in CLOSED",
        ]
    ),
]

/// `lab5-client --simulate …` scripts and the traces of the greeter model of the handout's diagram (step 13).
private let greeterScripts: [(arguments: [String], trace: [String])] = [
    (
        ["--simulate", "1:My name is Kim, Younghee.", "--simulate", "2:I am 22."],
        [
            "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
            "    1.000s  WAIT_NAME → ASK_AGE  ?answer(My name is Kim, Younghee.)",
            "    1.000s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
            "    2.000s  WAIT_AGE → DONE  ?answer(I am 22.) [a number]",
            "ended in DONE",
        ]
    ),
    (
        ["--simulate", "7:Kim"],
        [
            "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
            "    5.000s  WAIT_NAME → GAVE_UP  !timeout(what is your name?)",
            "    7.000s  GAVE_UP → GAVE_UP  ?answer(Kim)",
            "ended in GAVE_UP",
        ]
    ),
    (
        ["--wait", "2", "--simulate", "1.5:Kim", "--simulate", "3:twenty-two", "--simulate", "4.5:22"],
        [
            "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
            "    1.500s  WAIT_NAME → ASK_AGE  ?answer(Kim)",
            "    1.500s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
            "    3.000s  WAIT_AGE → ASK_AGE  ?answer(twenty-two) [else]",
            "    3.000s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
            "    4.500s  WAIT_AGE → DONE  ?answer(22) [a number]",
            "ended in DONE",
        ]
    ),
    (
        ["--wait", "2", "--simulate", "1:Kim"],
        [
            "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
            "    1.000s  WAIT_NAME → ASK_AGE  ?answer(Kim)",
            "    1.000s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
            "    3.000s  WAIT_AGE → GAVE_UP  !timeout(How old are you?)",
            "ended in GAVE_UP",
        ]
    ),
]

extension Check {
    /// A connection to the router with Nagle's algorithm off, as the router's own: each frame goes out when sent.
    fileprivate func connectToRouter(_ port: Int, label: String, chaotic: Bool = false) throws -> Peer {
        let peer = try connect(to: port, label: label, chaotic: chaotic)
        try peer.socket.setSockOpt(.noDelay, true)
        return peer
    }
}

/// A chat client logging in as Kim, with the checker playing the router: the client, and the checker's end once
/// the client's HELLO has come.
private func clientLoggingIn(_ check: Check) throws -> (Program, Peer) {
    let listener = try check.listen()
    let client = try check.start("client", ["--port", String(listener.port), "--name", "Kim"])
    let router = try listener.accept(from: client, chaotic: true)
    try router.expect(.hello("Kim"), waitingFor: "HELLO \"Kim\"")
    return (client, router)
}

/// Waits for `program` to stop, with a failing status and `text` in what it said on standard error.
private func expectExit(of program: Program, saying text: String, after what: String) throws {
    guard program.process.waitForExit(timeout: Check.replyTimeout) != nil else {
        throw CheckFailure(
            "after \(what), \(program.name) should have stopped with the error \(quoted(text)), but it was still running"
        )
    }
    let said = program.process.standardError
    try expect(
        said.contains(text) && program.termination != .exited(0),
        "after \(what), \(program.name) should have stopped with the error \(quoted(text)); "
            + (said.isEmpty
                ? "it ended with \(program.termination.map(String.init(describing:)) ?? "?") and said nothing on stderr"
                : "it said:\n" + indented(lastLines(said, count: 4)))
    )
}

/// Waits until `program` has printed `lines`, in this order (other lines may come between).
private func waitForLines(
    _ lines: [String],
    from program: Program,
    after what: String,
    timeout: Duration = Check.replyTimeout
) throws {
    var found = 0
    program.settle()
    _ = program.process.waitUntil(timeout: timeout) { output, _ in
        found = 0
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        where found < lines.count && line == lines[found] {
            found += 1
        }
        return found == lines.count
    }
    guard found < lines.count else { return }
    throw CheckFailure(
        "after \(what), \(program.name) should have printed \(quoted(lines[found]))"
            + (found > 0 ? " (after \(quoted(lines[found - 1])))" : "")
            + (program.output.isEmpty
                ? ", but printed nothing" : "; its output:\n" + indented(lastLines(program.output, count: 12)))
    )
}

extension Peer {
    /// The address the router sees this connection come from, as it prints it: `127.0.0.1:50514`.
    fileprivate func address() throws -> String {
        "\(try socket.getSockName())"
    }
}

/// Runs `attempt` until it returns true or `duration` passes (then fails with `message`).
private func retrying(for duration: Duration, orFail message: String, _ attempt: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + duration
    while ContinuousClock.now < deadline {
        if try attempt() { return }
        Thread.sleep(forTimeInterval: 0.05)
    }
    throw CheckFailure(message)
}
