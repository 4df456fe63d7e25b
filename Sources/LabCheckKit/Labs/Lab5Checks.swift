import FrameKit
import Foundation
import SocketKit
import Synchronization

/// Lab 5 · Framed protocol: the codec and the chat in the client (steps 1–3), the router's receiver model in virtual
/// time (4), the router one idea at a time (5–12), the greeting as a DEVS model in virtual time (13) and through the
/// router (14). The checker's frames are FrameKit's, the kit's own codec, which the students' programs cannot use.
let lab5 = Lab(
    number: 5, title: "Framed protocol", folder: "05-framed-protocol", programs: ["router", "client"],
    steps: [
        Step(1, "encode: the client's HELLO, byte for byte",
             hint: "2 bytes of type, 4 bytes of body length, most significant byte first, then the body: the name in UTF-8") { check in
            for name in ["Kim", "김영희", String(repeating: "x", count: 32)] {
                let listener = try check.listen()
                let client = try check.start("client", ["--port", String(listener.port), "--name", name])
                let router = try listener.accept(from: client)
                let expected = Frame(.hello, text: name).encoded()
                let got = try router.receive(
                    exactly: expected.count, waitingFor: "HELLO \"\(name)\" as a frame of \(expected.count) bytes",
                    stuck: "does the client send HELLO as soon as it has connected?")
                try expect(got, equals: expected, "the HELLO frame of --name \(name)")
            }
        },
        Step(2, "decode: the client reads a frame however it is split",
             hint: "feed every recv to the FrameReader, and take a frame only once all 6 + length bytes are in; a header over the limit is too-large at once") { check in
            // WELCOME one byte at a time: the client must keep what it has until the frame is whole.
            let (client, router) = try clientLoggingIn(check)
            try router.sendInPieces(Frame(.welcome, text: "Kim").encoded(), sizes: [1])
            try client.waitForLine(containing: "logged in as Kim", waitingFor: "\"logged in as Kim\" after WELCOME \"Kim\" came a byte at a time")

            // Each of these answers to HELLO makes the client stop, saying why.
            let refusal = Message.error(code: .nameTaken, message: "Kim is already logged in").frame.encoded()
            let answers: [(bytes: [UInt8], sizes: [Int], what: String, says: String)] = [
                (refusal, [2, 5, 3, 100], "ERROR name-taken cut inside its header and its body",
                 "the router refused the name \"Kim\": name-taken: Kim is already logged in"),
                (Array(Frame(.welcome, text: "Kim").encoded().prefix(7)), [3, 4], "7 bytes of a 9-byte WELCOME, then the end of the stream",
                 "the router closed the connection in the middle of a frame"),
                ([0x00, 0x81, 0x00, 0x01, 0x86, 0xA0], [6], "a header announcing 100000 bytes of body (over the 65536 a client takes)",
                 "frame body of 100000 bytes is over the limit of 65536"),
            ]
            for answer in answers {
                let (client, router) = try clientLoggingIn(check)
                try router.sendInPieces(answer.bytes, sizes: answer.sizes)
                if answer.says.contains("closed the connection") { router.close() }
                try expectExit(of: client, saying: answer.says, after: answer.what)
            }
        },
        Step(3, "chat: the keyboard and the router on one selector",
             hint: "one selector on the socket and standard input; after each recv, print every message the reader holds (one recv may bring several)") { check in
            let (client, router) = try clientLoggingIn(check)
            try router.send(.welcome("Kim"))
            try waitForLines(["logged in as Kim"], from: client, after: "WELCOME \"Kim\"")

            let frames: [Message] = [
                .deliver(from: "Lee", text: "hello"), .deliver(from: "Lee", text: "how are you?"), .users(["Kim", "Lee"]),
                .error(code: .noSuchUser, message: "nobody called Park is logged in"),
                .deliver(from: "Park, Jimin", text: String(repeating: "long ", count: 80)), .deliver(from: "Lee", text: ""),
            ]
            // Cut at awkward places: inside headers, two frames in one piece, a piece that ends a frame and starts the next.
            try router.sendInPieces(frames.flatMap { $0.frame.encoded() }, sizes: [2, 9, 3, 40, 1, 1, 5, 17, 250, 4, 30])
            try waitForLines(
                ["Lee: hello", "Lee: how are you?", "2 logged in:", "  Kim", "  Lee", "error no-such-user: nobody called Park is logged in",
                 "Park, Jimin: " + String(repeating: "long ", count: 80), "Lee: "],
                from: client, after: "six frames sent in pieces cut at awkward places (several frames in one piece: take them all)")

            let long = "to everyone: " + String(repeating: "abcdefghij", count: 30)
            for (typed, message) in [("@Lee hi there", Message.send(to: "Lee", text: "hi there")), ("/list", .list),
                                     ("@Park, Jimin: hello", .send(to: "Park, Jimin", text: "hello")), (long, .broadcast(long)),
                                     ("/quit", .bye)] {
                client.type(typed + "\n")
                try router.expect(message, waitingFor: "\(message.frame.description(limit: 30)) after typing \(quoted(typed))",
                                  stuck: "does the client wait on the keyboard and the socket at once (a selector), and send what is typed?")
            }
            router.close()
            try client.waitForExit(timeout: .seconds(3))
        },
        Step(4, "the receiver model, in virtual time",
             hint: "the diagram's phases and arrows, exactly: each ?bytes goes where ReceiverState's conditions say (frameReady, tooLarge, headerIncomplete, bodyIncomplete, nothingBuffered)",
             needs: [2]) { check in
            for script in receiverScripts {
                let run = try check.run("router", script.arguments)
                try expectLines(run.outputLines, equal: script.trace, from: "lab5-router " + script.arguments.map(shellQuoted).joined(separator: " "))
            }
        },
        Step(5, "router: accept, read into the receiver model, close",
             hint: "lab 4's accept loop; each recv goes to that connection's receiver (?bytes, or ?eof when recv returns 0); close at the end of the stream") { check in
            let (router, port) = try check.startServer("router", ["--trace"])
            let ann = try check.connectToRouter(port, label: "Ann")
            let annAddress = try ann.address()
            try router.waitForLine(containing: "connection from \(annAddress)", waitingFor: "\"connection from \(annAddress)\" once Ann connected")

            // The start of a frame, in pieces: the trace shows Ann's receiver taking them in. (Whole frames are
            // for step 6, which routes what the receiver delivers.)
            try ann.sendInPieces(Array(Frame(.ping, text: "hi").encoded().prefix(7)), sizes: [3, 4])
            try router.waitForLine(containing: "?bytes(", waitingFor: "a --trace line of Ann's receiver taking the bytes she sent")
            try router.waitForLine(containing: "→ BODY  ?bytes(", waitingFor: "the --trace line of Ann's receiver in BODY, once a whole header had come")

            // Twenty at once, each accepted; then each closes, and the router says so.
            let crowd = try (1...20).map { try check.connectToRouter(port, label: "client \($0)") }
            for peer in crowd {
                let address = try peer.address()
                try router.waitForLine(containing: "connection from \(address)", waitingFor: "\"connection from \(address)\": 20 clients connected at once")
            }
            for (index, peer) in crowd.enumerated() {
                let address = try peer.address()
                if index % 2 == 0 { peer.close() } else { peer.reset() }
                try router.waitForLine(containing: "\(address) left", waitingFor: "\"\(address) left: …\" once it \(index % 2 == 0 ? "closed its connection" : "reset its connection")")
            }
            ann.close()
            try router.waitForLine(containing: "BODY → FAIL  ?eof  \(annAddress)", waitingFor: "the --trace line of Ann's receiver taking ?eof in the middle of her frame")
            try router.waitForLine(containing: "\(annAddress) left", waitingFor: "\"\(annAddress) left: …\" once Ann closed her connection in the middle of a frame")
            let late = try check.connectToRouter(port, label: "late")
            let lateAddress = try late.address()
            try router.waitForLine(containing: "connection from \(lateAddress)", waitingFor: "\"connection from \(lateAddress)\" after the others had gone")
        },
        Step(6, "router: PING → PONG",
             hint: "handle each !frame with route; send appends the encoded frame to the connection's outbox, and flush sends what the socket takes") { check in
            let (_, port) = try check.startServer("router")
            let ann = try check.connectToRouter(port, label: "Ann"), bob = try check.connectToRouter(port, label: "Bob")
            for body: [UInt8] in [Array("abc".utf8), [], [0x00, 0xFF, 0x0A, 0x80]] {
                try ann.send(Frame(.ping, body: body))
                try ann.expect(Frame(.pong, body: body), waitingFor: "PONG with the PING's body, \(show(body))",
                               stuck: "is each frame the receiver delivers routed, and the answer sent?")
            }
            try bob.sendInPieces(Frame(.ping, text: "one byte at a time").encoded(), sizes: [1])
            try bob.expect(Frame(.pong, text: "one byte at a time"), waitingFor: "PONG for a PING Bob sent a byte at a time")

            // Three in one send, from both at once: each gets its own answers, in order.
            let pings = (1...3).map { Frame(.ping, text: "ping \($0)") }
            try ann.send(pings.flatMap { $0.encoded() })
            try bob.send(pings.flatMap { $0.encoded() })
            for peer in [ann, bob] {
                for ping in pings {
                    try peer.expect(Frame(.pong, body: ping.body), waitingFor: "the PONGs of three PINGs \(peer.label) sent in one piece, in order")
                }
            }
            let big = Frame(.ping, body: (0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try ann.send(big)
            try ann.expect(Frame(.pong, body: big.body), waitingFor: "the PONG of a PING of 60000 bytes")
        },
        Step(7, "router: a client that reads slowly",
             hint: "watch for .write while bytes wait in the outbox (and only then), so the rest goes out as the client reads; over --max-queue bytes waiting, close the connection") { check in
            // Ann sends 12 MB of PINGs without reading, then reads: every PONG must come, though most of them had to
            // wait in the router's outbox until her socket could take them. (While she does not read, the system
            // keeps a few hundred kB for her at most: her receive buffer does not grow until she reads.)
            let (router, port) = try check.startServer("router", ["--max-queue", "16000000", "--trace"])
            let ann = try check.connectToRouter(port, label: "Ann")
            let annAddress = try ann.address()
            let pings = floodOfPings + [Frame(.ping, text: "last")]
            var flood: [UInt8] = []
            for ping in pings { flood += ping.encoded() }  // (not joined(): unoptimized generic code would take seconds)
            try ann.send(flood)
            try router.waitForLine(containing: "!frame(PING \"last\")", timeout: .seconds(10),
                                   waitingFor: "the --trace line of Ann's last PING (after 12 MB of them), delivered by her receiver")
            check.note("the router has read all of Ann's PINGs: most of their PONGs wait in its outbox for \(annAddress)")
            for (index, ping) in pings.enumerated() {
                let pong = try ann.receiveFrame(
                    timeout: .seconds(5), waitingFor: "PONG \(index + 1) of \(pings.count), once Ann read again",
                    stuck: "\(index) of \(pings.count) PONGs came, and the rest may be waiting unsent in the outbox: is the socket watched for .write while bytes wait (watch), so that flush runs when it can take more?")
                try expect(pong == Frame(.pong, body: ping.body), "PONG \(index + 1) of \(pings.count) should have had the body of PING \(index + 1), but it was \(pong.description(limit: 20))")
            }

            // Bea sends as much and never reads: once more than --max-queue bytes wait for her, she is disconnected,
            // and Cy, who reads, is answered all along.
            let (_, tightPort) = try check.startServer("router", ["--max-queue", "100000"])
            let bea = try check.connectToRouter(tightPort, label: "Bea"), cy = try check.connectToRouter(tightPort, label: "Cy")
            try bea.socket.setSockOpt(.receiveBufferSize, 4096)
            let beaFlood = Array(flood.dropLast(Frame(.ping, text: "last").encoded().count))
            let beaSent = Mutex<Result<Void, any Error>?>(nil)
            Thread { do { try bea.send(beaFlood); beaSent.withLock { $0 = .success(()) } } catch { beaSent.withLock { $0 = .failure(error) } } }.start()
            let started = ContinuousClock.now
            var round = 0
            while beaSent.withLock({ $0 }) == nil, ContinuousClock.now - started < .seconds(10) {
                round += 1
                try cy.send(.ping(Array("round \(round)".utf8)))
                try cy.expect(.pong(Array("round \(round)".utf8)), waitingFor: "Cy's PONG while Bea floods the router without reading",
                              stuck: "a client that does not read must hold up nobody")
            }
            guard case .failure? = beaSent.withLock({ $0 }) else {
                throw CheckFailure(
                    "Bea sent 12 MB of PINGs and never read a PONG, yet the router kept her connection (with --max-queue 100000): once more than --max-queue bytes wait for a client, close it")
            }
        },
        Step(8, "router: HELLO and WELCOME, and names",
             hint: "HELLO → WELCOME, or ERROR bad-name / name-taken (the connection stays usable); a name is free again once its connection has closed") { check in
            let (_, port) = try check.startServer("router")
            let kim = try check.connectToRouter(port, label: "Kim")
            try kim.logIn(as: "Kim")
            let lee = try check.connectToRouter(port, label: "Lee")
            try lee.sendInPieces(Frame(.hello, text: "Lee").encoded(), sizes: [1])
            try lee.expect(.welcome("Lee"), waitingFor: "WELCOME \"Lee\" after HELLO \"Lee\" sent a byte at a time")
            try lee.send(.hello("Lee2"))
            try lee.expectError(.badName, after: "a second HELLO on a connection already logged in as Lee")

            let other = try check.connectToRouter(port, label: "other")
            try other.send(.hello("Kim"))
            try other.expectError(.nameTaken, after: "HELLO \"Kim\" while Kim is logged in")
            for (name, why) in [([UInt8](), "an empty name"), (Array("Lee\nPark".utf8), "a name with a newline"),
                                (Array(repeating: UInt8(ascii: "y"), count: 33), "a 33-byte name"), ([0x4B, 0xFF], "a name that is not UTF-8")] {
                try other.send(Frame(.hello, body: name))
                try other.expectError(.badName, after: "HELLO with \(why)")
            }
            try other.logIn(as: "Park")  // the connection is still usable

            // A name is free again once its connection has ended, whether it closed or was reset.
            for (peer, name, how) in [(kim, "Kim", "closed"), (lee, "Lee", "was reset")] {
                if how == "closed" { peer.close() } else { peer.reset() }
                let again = try check.connectToRouter(port, label: "\(name) again")
                try retrying(for: .seconds(2), orFail: "\(name)'s connection \(how), but HELLO \"\(name)\" still gets name-taken: forget a name when its connection closes") {
                    try again.send(.hello(name))
                    let reply = try again.receiveFrame(waitingFor: "an answer to HELLO \"\(name)\" after \(name)'s connection \(how)")
                    if reply == Message.welcome(name).frame { return true }
                    try expect(reply.type == .error, "HELLO \"\(name)\" was answered with \(reply)")
                    return false
                }
            }
        },
        Step(9, "router: relay SEND, BROADCAST and LIST, in order, to the right clients",
             hint: "the connection a frame came from says who sent it, the name in it where it goes; one outbox per connection keeps each sender's frames in order") { check in
            let (_, port) = try check.startServer("router")
            let kim = try check.connectToRouter(port, label: "Kim"), lee = try check.connectToRouter(port, label: "Lee")
            let park = try check.connectToRouter(port, label: "Park")
            for (peer, name) in [(kim, "Kim"), (lee, "Lee"), (park, "Park")] { try peer.logIn(as: name) }

            try kim.send(.send(to: "Lee", text: "hi Lee"))
            try lee.expect(.deliver(from: "Kim", text: "hi Lee"), waitingFor: "Kim's SEND, delivered to Lee")
            try kim.send(.send(to: "Lee", text: "two\nlines"))
            try lee.expect(.deliver(from: "Kim", text: "two\nlines"), waitingFor: "Kim's SEND of a text with a newline, delivered to Lee")
            try lee.send(.broadcast("hello all"))
            try kim.expect(.deliver(from: "Lee", text: "hello all"), waitingFor: "Lee's BROADCAST, delivered to Kim")
            try park.expect(.deliver(from: "Lee", text: "hello all"), waitingFor: "Lee's BROADCAST, delivered to Park")
            try lee.send(.list)
            try lee.expect(.users(["Kim", "Lee", "Park"]), waitingFor: "USERS, sorted, one per line — and not Lee's own BROADCAST")
            try kim.send(.send(to: "Nobody", text: "hi"))
            try kim.expectError(.noSuchUser, after: "SEND to Nobody, who is not logged in")

            // 200 messages from two senders at once, each sender's in one send: every one once, each sender's in order.
            let fromKim = (1...100).map { Message.send(to: "Lee", text: "kim \($0)") }
            let fromPark = (1...100).map { Message.send(to: "Lee", text: "park \($0)") }
            try kim.send(fromKim.flatMap { $0.frame.encoded() })
            try park.send(fromPark.flatMap { $0.frame.encoded() })
            var next = ["Kim": 1, "Park": 1]
            for _ in 0..<200 {
                let frame = try lee.receiveFrame(waitingFor: "the 200 messages Kim and Park sent Lee")
                guard case .deliver(let from, let text)? = try? Message(frame), let expected = next[from],
                    text == "\(from.lowercased()) \(expected)"
                else {
                    throw CheckFailure("Lee received \(frame), but the next messages due were \"kim \(next["Kim"]!)\" from Kim and \"park \(next["Park"]!)\" from Park")
                }
                next[from] = expected + 1
            }

            // A client that vanishes is gone from USERS, and holds up nobody.
            let vanishing = try check.connectToRouter(port, label: "Vanishing")
            try vanishing.logIn(as: "Vanishing")
            vanishing.reset()
            try lee.send(.send(to: "Kim", text: "still there?"))
            try kim.expect(.deliver(from: "Lee", text: "still there?"), waitingFor: "Lee's message, after Vanishing reset its connection")
            try retrying(for: .seconds(2), orFail: "Vanishing reset its connection, but is still in USERS") {
                try kim.send(.list)
                let users = try kim.receiveFrame(waitingFor: "USERS after Vanishing reset its connection")
                return users == Message.users(["Kim", "Lee", "Park"]).frame
            }
        },
        Step(10, "router: BYE, and leaving politely",
             hint: "finish: read no more and forget the name, send what is owed, then linger: shutdown(.write), and read until the client closes") { check in
            let (router, port) = try check.startServer("router", ["--max-queue", "16000000", "--trace"])
            let lee = try check.connectToRouter(port, label: "Lee"), park = try check.connectToRouter(port, label: "Park")
            try lee.logIn(as: "Lee")
            try park.logIn(as: "Park")
            // What Park is owed arrives, then the end of the stream; what Park sent after BYE is not answered.
            try park.send([Message.send(to: "Lee", text: "bye Lee"), .list, .bye, .ping([1])].flatMap { $0.frame.encoded() })
            try lee.expect(.deliver(from: "Park", text: "bye Lee"), waitingFor: "Park's last SEND, sent just before BYE")
            try park.expect(.users(["Lee", "Park"]), waitingFor: "USERS: Park's LIST came before its BYE")
            let rest = try park.receiveUntilClosed(waitingFor: "the router to close Park's connection after BYE (finish, then linger: shutdown(.write))")
            try expect(rest.isEmpty, "after BYE the router sent \(show(rest)), and should have closed (a PING after BYE is not answered)")
            park.close()
            let again = try check.connectToRouter(port, label: "Park again")
            try again.logIn(as: "Park")  // the name was freed by BYE

            // Ann sends 12 MB of PINGs and the end of her stream at once, and reads only then: the router must not
            // close before she has all her PONGs, most of which wait in its outbox (--max-queue 16000000).
            let ann = try check.connectToRouter(port, label: "Ann")
            let annAddress = try ann.address()
            let pings = floodOfPings
            var bytes: [UInt8] = []
            for ping in pings { bytes += ping.encoded() }
            try ann.send(bytes)
            try ann.shutdownWrite()
            try router.waitForLine(containing: "?eof  \(annAddress)", timeout: .seconds(10), waitingFor: "the --trace line of Ann's receiver taking ?eof")
            for (index, ping) in pings.enumerated() {
                try ann.expect(Frame(.pong, body: ping.body), waitingFor: "PONG \(index + 1) of \(pings.count) after Ann ended her stream",
                               stuck: "a client that ends its stream while it is still owed frames must get them: finish it, do not close it")
            }
            let after = try ann.receiveUntilClosed(waitingFor: "the router to close Ann's connection once she had her PONGs")
            try expect(after.isEmpty, "after the PONGs the router sent \(show(after)), and should have closed")
        },
        Step(11, "router: errors, and clients that misbehave hurt nobody else",
             hint: "ERROR with the right code and the connection stays usable — except too-large: the stream can no longer be trusted, finish it") { check in
            let (_, port) = try check.startServer("router", ["--max-body", "1000"])
            let ann = try check.connectToRouter(port, label: "Ann"), bob = try check.connectToRouter(port, label: "Bob")
            try bob.logIn(as: "Bob")
            var round = 0
            func stillChatting(_ after: String) throws {
                round += 1
                try bob.send(.send(to: "Bob", text: "round \(round)"))
                try bob.expect(.deliver(from: "Bob", text: "round \(round)"), waitingFor: "Bob's message to himself after \(after)",
                               stuck: "one client's mistakes must not stop the router serving the others")
            }

            for (frame, what) in [(Message.send(to: "Bob", text: "hi").frame, "SEND"), (Frame(.broadcast, text: "hi"), "BROADCAST"),
                                  (Frame(.list), "LIST"), (Frame(.send, text: "no newline"), "a SEND without a newline")] {
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
            try ann.expect(Frame(.pong, body: Array(repeating: 7, count: 1000)), waitingFor: "PONG for a body of exactly --max-body 1000")
            try stillChatting("Ann's mistakes")

            for (length, what) in [(UInt32(1001), "1001 bytes, over --max-body 1000"), (0xFFFF_FFFF, "4 GiB")] {
                let greedy = try check.connectToRouter(port, label: "greedy")
                try greedy.send([0x00, 0x05] + withUnsafeBytes(of: length.bigEndian, Array.init) + Array(repeating: 1, count: 100))
                try greedy.expectError(.tooLarge, after: "a header claiming a body of \(what)")
                let rest = try greedy.receiveUntilClosed(waitingFor: "the router to close the connection after too-large")
                try expect(rest.isEmpty, "after ERROR too-large the router sent \(show(rest)), and should have closed")
                greedy.close()
                try stillChatting("a client claiming \(what)")
            }

            let garbage = try check.connectToRouter(port, label: "garbage")
            try garbage.send((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
            garbage.reset()
            try stillChatting("a client sending 2000 bytes of garbage and vanishing")
        },
        Step(12, "router: a frame that stops halfway times out",
             hint: "HEADER and BODY @frame-timeout, kept from the frame's first byte; when the loop wakes for a deadline, expire advances that receiver; then ERROR timeout and finish") { check in
            for script in timeoutScripts {
                let run = try check.run("router", script.arguments)
                try expectLines(run.outputLines, equal: script.trace, from: "lab5-router " + script.arguments.map(shellQuoted).joined(separator: " "))
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
            try ann.expect(Frame(.pong, text: "0123456789"), waitingFor: "PONG for a frame sent in two parts 0.5 s apart")

            for (peer, what) in stalled {
                try peer.expectError(.timeout, timeout: .seconds(3), after: what)
                let elapsed = ContinuousClock.now - started
                try expect(elapsed >= .milliseconds(800), "the router timed out \(what) after \(elapsed), before the 1 s of --frame-timeout 1")
                let rest = try peer.receiveUntilClosed(waitingFor: "the router to close the connection after ERROR timeout")
                try expect(rest.isEmpty, "after ERROR timeout the router sent \(show(rest)), and should have closed")
                peer.close()
            }

            // Ann has had no frame under way since 0.5 s: idle is not stalled.
            Thread.sleep(forTimeInterval: max(0, 2.1 - Check.seconds(ContinuousClock.now - started)))
            try ann.send(.ping([]))
            try ann.expect(.pong([]), waitingFor: "PONG after more than 1 s idle", stuck: "an idle client has no frame under way: it must not time out")

            for (text, why) in [("IDLE → HEADER", "a frame's first bytes"), ("HEADER → CLOSED  !error(timeout)", "the timeout")] {
                try router.waitForLine(containing: text, waitingFor: "the --trace line \(quoted(text)) for \(why)")
            }
        },
        Step(13, "the greeting model, in virtual time",
             hint: "the diagram's phases, deadlines and transitions exactly: ASK_NAME @0 !ask, WAIT_NAME @wait ?answer / !timeout, …",
             needs: []) { check in
            for script in greeterScripts {
                let run = try check.run("client", script.arguments)
                try expectLines(run.outputLines, equal: script.trace, from: "lab5-client " + script.arguments.map(shellQuoted).joined(separator: " "))
            }
        },
        Step(14, "the whole greeting, through the router",
             hint: "the asking person runs the greeter model in real time: select with the model's next deadline as timeout",
             needs: [2, 10, 13]) { check in
            let (_, port) = try check.startServer("router")
            let answerer = try check.start("client", ["--port", String(port), "--answer"])
            try answerer.waitForLine(containing: "logged in as Kim, Younghee", waitingFor: "\"logged in as Kim, Younghee\"")
            let asker = try check.start("client", ["--port", String(port), "--ask", "Kim, Younghee"])
            let dialogue = [
                "Hong, Gil Dong: Hi. What is your name?", "Kim, Younghee: My name is Kim, Younghee.",
                "Hong, Gil Dong: How old are you?", "Kim, Younghee: I am 22.",
            ]
            for (program, who) in [(asker, "the asking person"), (answerer, "the answering person")] {
                try waitForLines(dialogue, from: program, after: "the greeting, printed by \(who)")
                try program.waitForExit(timeout: .seconds(5))
                try expect(program.termination == .exited(0), "\(who) ended with \(program.termination.map(String.init(describing:)) ?? "?"), after a greeting that went well")
            }

            // Asking someone who never answers: the deadline, not a hang.
            let silent = try check.connectToRouter(port, label: "Silent")
            try silent.logIn(as: "Silent")
            let started = ContinuousClock.now
            let patient = try check.start("client", ["--port", String(port), "--ask", "Silent", "--wait", "1"])
            try silent.expect(.deliver(from: "Hong, Gil Dong", text: "what is your name?"), waitingFor: "the name question, delivered to Silent")
            try patient.waitForExit(timeout: .seconds(4))
            try expect(patient.termination != .exited(0), "the asking person exited with status 0 though Silent never answered")
            let elapsed = ContinuousClock.now - started
            try expect(elapsed >= .milliseconds(900), "the asking person gave up after \(elapsed), before its --wait 1")

            let lonely = try check.run("client", ["--port", String(port), "--ask", "Nobody"])
            try expect(lonely.termination != .exited(0), "asking Nobody (not logged in) should fail: the router answers no-such-user")
        },
    ])

/// 12 MB of PINGs, each a different byte repeated: more than the system keeps for one connection that does not read
/// (Linux lets a socket's send buffer grow to 4 MB), so most of their PONGs must wait in the router's outbox.
private let floodOfPings = (0..<200).map { index in Frame(.ping, body: [UInt8](repeating: UInt8(index), count: 60_000)) }

/// `lab5-router --simulate …` scripts and the traces the receiver model of the handout's diagram prints for them,
/// deadlines or not (step 4: nothing stays unfinished for long).
private let receiverScripts: [(arguments: [String], trace: [String])] = [
    // A whole frame in one read.
    (["--simulate", "0.412:00 01 00 00 00 03 4B 69 6D"], [
        "    0.412s  IDLE → DELIVER  ?bytes(9) [frame ready]",
        #"    0.412s  DELIVER → IDLE  !frame(HELLO "Kim") [nothing buffered]"#,
        "ended in IDLE",
    ]),
    // A byte at a time.
    ((0..<9).flatMap { ["--simulate", "1.\($0):" + ["00", "01", "00", "00", "00", "03", "4B", "69", "6D"][$0]] }, [
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
    ]),
    // Two frames and half a header in one read, the rest later; then the end of the stream.
    (["--simulate", "2:00 04 00 00 00 00 00 05 00 00 00 02 68 69 00 06 00", "--simulate", "3:00 00 00", "--simulate", "4:eof"], [
        "    2.000s  IDLE → DELIVER  ?bytes(17) [frame ready]",
        "    2.000s  DELIVER → DELIVER  !frame(LIST) [frame ready]",
        #"    2.000s  DELIVER → HEADER  !frame(PING "hi") [header incomplete]"#,
        "    3.000s  HEADER → DELIVER  ?bytes(3) [frame ready]",
        "    3.000s  DELIVER → IDLE  !frame(BYE) [nothing buffered]",
        "    4.000s  IDLE → CLOSED  ?eof",
        "ended in CLOSED",
    ]),
    // A header, and a frame's end in the same read as the next frame's header.
    (["--simulate", "0:00 03 00 00 00 02", "--simulate", "0.5:41 42 00 03 00 00 00 01", "--simulate", "0.7:43"], [
        "    0.000s  IDLE → BODY  ?bytes(6) [body incomplete]",
        "    0.500s  BODY → DELIVER  ?bytes(8) [frame ready]",
        #"    0.500s  DELIVER → BODY  !frame(BROADCAST "AB") [body incomplete]"#,
        "    0.700s  BODY → DELIVER  ?bytes(1) [frame ready]",
        #"    0.700s  DELIVER → IDLE  !frame(BROADCAST "C") [nothing buffered]"#,
        "ended in IDLE",
    ]),
    // Over --max-body: failed from the header alone, and everything after is ignored.
    (["--max-body", "100", "--simulate", "1:00 05 00 00 00 65", "--simulate", "2:01 02 03", "--simulate", "3:eof"], [
        "    1.000s  IDLE → FAIL  ?bytes(6) [too large]",
        "    1.000s  FAIL → CLOSED  !error(too-large)",
        "    2.000s  CLOSED → CLOSED  ?bytes(3)",
        "    3.000s  CLOSED → CLOSED  ?eof",
        "ended in CLOSED",
    ]),
    // The stream ends inside a header, and inside a body.
    (["--simulate", "1:00 05", "--simulate", "1.5:eof"], [
        "    1.000s  IDLE → HEADER  ?bytes(2) [header incomplete]",
        "    1.500s  HEADER → FAIL  ?eof",
        "    1.500s  FAIL → CLOSED  !error(truncated)",
        "ended in CLOSED",
    ]),
    (["--simulate", "1:00 05 00 00 00 04 00", "--simulate", "1.5:eof"], [
        "    1.000s  IDLE → BODY  ?bytes(7) [body incomplete]",
        "    1.500s  BODY → FAIL  ?eof",
        "    1.500s  FAIL → CLOSED  !error(truncated)",
        "ended in CLOSED",
    ]),
]

/// The receiver's deadlines in virtual time (step 12): per frame, from its first byte.
private let timeoutScripts: [(arguments: [String], trace: [String])] = [
    (["--simulate", "1:00 05 00", "--simulate", "7:eof"], [
        "    1.000s  IDLE → HEADER  ?bytes(3) [header incomplete]",
        "    6.000s  HEADER → CLOSED  !error(timeout)",
        "    7.000s  CLOSED → CLOSED  ?eof",
        "ended in CLOSED",
    ]),
    // A byte a second: the deadline is 5 s after the first byte, however recent the last one.
    (["--simulate", "1:00", "--simulate", "2:05", "--simulate", "3:00", "--simulate", "4:00", "--simulate", "5:00", "--simulate", "6:00", "--simulate", "7:02"], [
        "    1.000s  IDLE → HEADER  ?bytes(1) [header incomplete]",
        "    2.000s  HEADER → HEADER  ?bytes(1) [header incomplete]",
        "    3.000s  HEADER → HEADER  ?bytes(1) [header incomplete]",
        "    4.000s  HEADER → HEADER  ?bytes(1) [header incomplete]",
        "    5.000s  HEADER → HEADER  ?bytes(1) [header incomplete]",
        "    6.000s  HEADER → CLOSED  !error(timeout)",
        "    6.000s  CLOSED → CLOSED  ?bytes(1)",
        "    7.000s  CLOSED → CLOSED  ?bytes(1)",
        "ended in CLOSED",
    ]),
    // The header at 0.5 s, part of the body at 3 s, the deadline at 5.5 s; with --frame-timeout 2, a frame done in time.
    (["--simulate", "0.5:00 03 00 00 00 04", "--simulate", "3:41 42", "--simulate", "9:eof"], [
        "    0.500s  IDLE → BODY  ?bytes(6) [body incomplete]",
        "    3.000s  BODY → BODY  ?bytes(2) [body incomplete]",
        "    5.500s  BODY → CLOSED  !error(timeout)",
        "    9.000s  CLOSED → CLOSED  ?eof",
        "ended in CLOSED",
    ]),
    (["--frame-timeout", "2", "--simulate", "1:00 04 00", "--simulate", "2.9:00 00 00", "--simulate", "9:eof"], [
        "    1.000s  IDLE → HEADER  ?bytes(3) [header incomplete]",
        "    2.900s  HEADER → DELIVER  ?bytes(3) [frame ready]",
        "    2.900s  DELIVER → IDLE  !frame(LIST) [nothing buffered]",
        "    9.000s  IDLE → CLOSED  ?eof",
        "ended in CLOSED",
    ]),
]

/// `lab5-client --simulate …` scripts and the traces of the greeter model of the handout's diagram (step 13).
private let greeterScripts: [(arguments: [String], trace: [String])] = [
    (["--simulate", "1:My name is Kim, Younghee.", "--simulate", "2:I am 22."], [
        "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
        "    1.000s  WAIT_NAME → ASK_AGE  ?answer(My name is Kim, Younghee.)",
        "    1.000s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
        "    2.000s  WAIT_AGE → DONE  ?answer(I am 22.) [a number]",
        "ended in DONE",
    ]),
    (["--simulate", "7:Kim"], [
        "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
        "    5.000s  WAIT_NAME → GAVE_UP  !timeout(what is your name?)",
        "    7.000s  GAVE_UP → GAVE_UP  ?answer(Kim)",
        "ended in GAVE_UP",
    ]),
    (["--wait", "2", "--simulate", "1.5:Kim", "--simulate", "3:twenty-two", "--simulate", "4.5:22"], [
        "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
        "    1.500s  WAIT_NAME → ASK_AGE  ?answer(Kim)",
        "    1.500s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
        "    3.000s  WAIT_AGE → ASK_AGE  ?answer(twenty-two) [else]",
        "    3.000s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
        "    4.500s  WAIT_AGE → DONE  ?answer(22) [a number]",
        "ended in DONE",
    ]),
    (["--wait", "2", "--simulate", "1:Kim"], [
        "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
        "    1.000s  WAIT_NAME → ASK_AGE  ?answer(Kim)",
        "    1.000s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
        "    3.000s  WAIT_AGE → GAVE_UP  !timeout(How old are you?)",
        "ended in GAVE_UP",
    ]),
]

extension Check {
    /// A connection to the router with Nagle's algorithm off, as the router's own: each frame goes out when sent.
    fileprivate func connectToRouter(_ port: Int, label: String) throws -> Peer {
        let peer = try connect(to: port, label: label)
        try peer.socket.setSockOpt(.noDelay, true)
        return peer
    }
}

/// A chat client logging in as Kim, with the checker playing the router: the client, and the checker's end once
/// the client's HELLO has come.
private func clientLoggingIn(_ check: Check) throws -> (Program, Peer) {
    let listener = try check.listen()
    let client = try check.start("client", ["--port", String(listener.port), "--name", "Kim"])
    let router = try listener.accept(from: client)
    try router.expect(.hello("Kim"), waitingFor: "HELLO \"Kim\"")
    return (client, router)
}

/// Waits for `program` to stop, with a failing status and `text` in what it said on standard error.
private func expectExit(of program: Program, saying text: String, after what: String) throws {
    guard program.process.waitForExit(timeout: Check.replyTimeout) != nil else {
        throw CheckFailure("after \(what), \(program.name) should have stopped with the error \(quoted(text)), but it was still running")
    }
    let said = program.process.standardError
    try expect(said.contains(text) && program.termination != .exited(0),
               "after \(what), \(program.name) should have stopped with the error \(quoted(text)); "
                   + (said.isEmpty ? "it ended with \(program.termination.map(String.init(describing:)) ?? "?") and said nothing on stderr"
                      : "it said:\n" + indented(lastLines(said, count: 4))))
}

/// Waits until `program` has printed `lines`, in this order (other lines may come between).
private func waitForLines(_ lines: [String], from program: Program, after what: String, timeout: Duration = Check.replyTimeout) throws {
    var found = 0
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
            + (program.output.isEmpty ? ", but printed nothing" : "; its output:\n" + indented(lastLines(program.output, count: 12))))
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
