import FrameKit
import Foundation
import SocketKit

/// Lab 5 · Framed protocol: the codec in the client (steps 1–2), the router (3–6), the greeting as a DEVS model in
/// virtual time (7) and through the router (8). The frames are built with FrameKit, the kit's codec.
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
        Step(2, "decode: the client reads frames however they are split, and chats",
             hint: "feed every recv to the FrameReader and take frames until next() returns nil: one recv may hold half a frame, or three") { check in
            let listener = try check.listen()
            let client = try check.start("client", ["--port", String(listener.port), "--name", "Kim"])
            let router = try listener.accept(from: client)
            try router.expect(.hello("Kim"), waitingFor: "HELLO \"Kim\"")
            try router.sendInPieces(Frame(.welcome, text: "Kim").encoded(), sizes: [1])
            try waitForLines(["logged in as Kim"], from: client, after: "WELCOME \"Kim\" came a byte at a time")

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
                from: client, after: "six frames sent in pieces cut at awkward places")

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
        Step(3, "router: HELLO and WELCOME, PING and PONG",
             hint: "the selector loop of lab 4, each connection's bytes through its receiver model; HELLO → WELCOME, or ERROR bad-name / name-taken",
             needs: [1]) { check in
            let (_, port) = try check.startServer("router")
            let kim = try check.connectToRouter(port, label: "Kim")
            try kim.logIn(as: "Kim")
            let lee = try check.connectToRouter(port, label: "Lee")
            try lee.sendInPieces(Frame(.hello, text: "Lee").encoded(), sizes: [1])
            try lee.expect(.welcome("Lee"), waitingFor: "WELCOME \"Lee\" after HELLO \"Lee\" sent a byte at a time",
                           stuck: "does the router keep what it has read until the frame is complete?")

            let other = try check.connectToRouter(port, label: "other")
            try other.send(.hello("Kim"))
            try other.expectError(.nameTaken, after: "HELLO \"Kim\" while Kim is logged in")
            for (name, why) in [([UInt8](), "an empty name"), (Array("Lee\nPark".utf8), "a name with a newline"),
                                (Array(repeating: UInt8(ascii: "y"), count: 33), "a 33-byte name"), ([0x4B, 0xFF], "a name that is not UTF-8")] {
                try other.send(Frame(.hello, body: name))
                try other.expectError(.badName, after: "HELLO with \(why)")
            }
            try other.logIn(as: "Park")  // the connection is still usable

            let pinger = try check.connectToRouter(port, label: "pinger")
            for body: [UInt8] in [Array("abc".utf8), [], [0x00, 0xFF, 0x0A, 0x80]] {
                try pinger.send(Frame(.ping, body: body))
                try pinger.expect(Frame(.pong, body: body), waitingFor: "PONG with the PING's body, before any HELLO")
            }

            kim.close()
            // Kim's name is free once the router has seen the connection close.
            let again = try check.connectToRouter(port, label: "Kim again")
            try retrying(for: .seconds(2), orFail: "Kim's connection has closed, but HELLO \"Kim\" still gets name-taken: forget a name when its connection ends") {
                try again.send(.hello("Kim"))
                let reply = try again.receiveFrame(waitingFor: "an answer to HELLO \"Kim\" after Kim's connection closed")
                if reply == Message.welcome("Kim").frame { return true }
                try expect(reply.type == .error, "HELLO \"Kim\" was answered with \(reply)")
                return false
            }
        },
        Step(4, "router: relay SEND, BROADCAST, LIST and BYE, in order, to the right clients",
             hint: "one output queue per connection, sent as the socket takes it; a sender's frames go out in the order they came") { check in
            let (_, port) = try check.startServer("router", ["--max-queue", "100000"])
            let kim = try check.connectToRouter(port, label: "Kim"), lee = try check.connectToRouter(port, label: "Lee")
            let park = try check.connectToRouter(port, label: "Park")
            for (peer, name) in [(kim, "Kim"), (lee, "Lee"), (park, "Park")] { try peer.logIn(as: name) }

            try kim.send(.send(to: "Lee", text: "hi Lee"))
            try lee.expect(.deliver(from: "Kim", text: "hi Lee"), waitingFor: "Kim's SEND, delivered to Lee")
            try lee.send(.broadcast("hello all"))
            try kim.expect(.deliver(from: "Lee", text: "hello all"), waitingFor: "Lee's BROADCAST, delivered to Kim")
            try park.expect(.deliver(from: "Lee", text: "hello all"), waitingFor: "Lee's BROADCAST, delivered to Park")
            try lee.send(.list)
            try lee.expect(.users(["Kim", "Lee", "Park"]), waitingFor: "USERS, sorted, one per line — and not Lee's own BROADCAST")

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

            // BYE: what Park is owed arrives, then the router closes.
            try park.send([Message.send(to: "Lee", text: "bye Lee"), .list, .bye].flatMap { $0.frame.encoded() })
            try lee.expect(.deliver(from: "Park", text: "bye Lee"), waitingFor: "Park's last SEND, sent just before BYE")
            try park.expect(.users(["Kim", "Lee", "Park"]), waitingFor: "USERS: Park's LIST came before its BYE")
            let rest = try park.receiveUntilClosed(waitingFor: "the router to close Park's connection after BYE")
            try expect(rest.isEmpty, "after BYE the router sent \(show(rest)), and should have closed")

            // A receiver that vanishes, and one that never reads: neither may hold up Kim and Lee.
            let vanishing = try check.connectToRouter(port, label: "Vanishing")
            try vanishing.logIn(as: "Vanishing")
            vanishing.reset()
            let slow = try check.connectToRouter(port, label: "Slow")
            try slow.socket.setSockOpt(.receiveBufferSize, 4096)  // so that the system does not soak up megabytes for it
            try slow.logIn(as: "Slow")
            let big = Message.send(to: "Slow", text: String(repeating: "z", count: 60_000)).frame.encoded()
            var flood: [UInt8] = []
            for _ in 0..<150 { flood += big }  // (not joined(): unoptimized generic code would take seconds)
            try kim.send(flood)
            try lee.send(.send(to: "Kim", text: "still there?"))
            try kim.skip(until: { $0 == Message.deliver(from: "Lee", text: "still there?").frame }, timeout: .seconds(10),
                         waitingFor: "Lee's message, after Kim sent 9 MB to Slow, who never reads",
                         stuck: "a client that never reads must hold up nobody: disconnect it once its queue is over --max-queue")
            try kim.send(.list)
            // Kim's SENDs to Slow once Slow was gone were answered no-such-user: skip those.
            let users = try kim.skip(until: { $0.type == .users }, waitingFor: "USERS after Kim's 9 MB for Slow")
            try expect(users, equals: Message.users(["Kim", "Lee"]).frame, "USERS once Slow (who never read) and Vanishing are gone")
        },
        Step(5, "router: errors, and clients that misbehave hurt nobody else",
             hint: "ERROR with the right code and the connection stays usable — except too-large: the stream can no longer be trusted, close it") { check in
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
            try ann.send(.send(to: "Nobody", text: "hi"))
            try ann.expectError(.noSuchUser, after: "SEND to Nobody, who is not logged in")
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
                try stillChatting("a client claiming \(what)")
            }

            let garbage = try check.connectToRouter(port, label: "garbage")
            try garbage.send((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
            garbage.reset()
            try stillChatting("a client sending 2000 bytes of garbage and vanishing")
        },
        Step(6, "router: a frame that stops halfway times out",
             hint: "HEADER and BODY @frame-timeout, kept from the frame's first byte; select's timeout is the earliest deadline; then ERROR timeout and close") { check in
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
            }

            // Ann has had no frame under way since 0.5 s: idle is not stalled.
            Thread.sleep(forTimeInterval: max(0, 2.1 - Check.seconds(ContinuousClock.now - started)))
            try ann.send(.ping([]))
            try ann.expect(.pong([]), waitingFor: "PONG after more than 1 s idle", stuck: "an idle client has no frame under way: it must not time out")

            for (text, why) in [("IDLE → HEADER", "a frame's first bytes"), ("HEADER → CLOSED  !error(timeout)", "the timeout")] {
                try router.waitForLine(containing: text, waitingFor: "the --trace line \(quoted(text)) for \(why)")
            }
        },
        Step(7, "the greeting model, in virtual time",
             hint: "the diagram's phases, deadlines and transitions exactly: ASK_NAME @0 !ask, WAIT_NAME @wait ?answer / !timeout, …",
             needs: []) { check in
            let scripts: [(arguments: [String], trace: [String])] = [
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
            for script in scripts {
                let run = try check.run("client", script.arguments)
                try expectLines(run.outputLines, equal: script.trace, from: "lab5-client " + script.arguments.map(shellQuoted).joined(separator: " "))
            }
        },
        Step(8, "the whole greeting, through the router",
             hint: "the asking person runs the greeter model in real time: select with the model's next deadline as timeout",
             needs: [2, 4, 7]) { check in
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

extension Check {
    /// A connection to the router with Nagle's algorithm off, as the router's own: each frame goes out when sent.
    fileprivate func connectToRouter(_ port: Int, label: String) throws -> Peer {
        let peer = try connect(to: port, label: label)
        try peer.socket.setSockOpt(.noDelay, true)
        return peer
    }
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
    /// Receives frames until one satisfies `wanted`, and returns it.
    @discardableResult
    fileprivate func skip(
        until wanted: (Frame) -> Bool, timeout: Duration = Check.replyTimeout, waitingFor what: String,
        stuck: String = "is the router reading this connection?"
    ) throws -> Frame {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame = try receiveFrame(timeout: max(.zero, ContinuousClock.now.duration(to: deadline)), waitingFor: what, stuck: stuck)
            if wanted(frame) { return frame }
        }
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
