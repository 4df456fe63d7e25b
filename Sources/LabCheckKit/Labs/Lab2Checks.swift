import LabSupport
import SocketKit

/// Lab 2 · Networked greeting: lab 1's dialogue across a TCP connection, in the course homework's wire protocol —
/// "what is your name?" → "My name is <name>.", "How old are you?" → "I am <age>.", anything else ends it. The
/// protocol has no framing (one recv, one message), so no step here is chaotic: step 6 shows why it breaks.
let lab2 = Lab(
    number: 2,
    title: "Networked greeting",
    folder: "02-networked-greeting",
    programs: ["greeting-server", "greeting-client"],
    steps: [
        Step(
            1,
            "server listens, accepts, and says who connected",
            hint:
                "print \"listening on\" with getSockName() after listen(), and \"Connected by\" with accept()'s address",
            moreHints: [
                "the lecture's order: let s = try Socket(try family(of: endpoint.host), .stream), setSockOpt(.reuseAddress, true), bind(endpoint.address), listen(), then print the address getSockName() returns (with --port 0 only it knows the port); then a while true loop around accept()",
                "inside the loop: let (conn, addr) = try s.accept(); print(\"Connected by \\(addr)\"); then converse(over: conn, with: addr) and conn.close()",
            ]
        ) { check in
            let (server, port) = try check.startServer("greeting-server")
            let client = try check.connect(to: port)
            let me = try client.socket.getSockName()
            let line = try server.waitForLine(
                startingWith: "Connected by",
                waitingFor: "\"Connected by ADDR\" after accept()"
            )
            try expect(line, equals: "Connected by \(me)", "the line that says who connected")
        },
        Step(
            2,
            "server answers \"what is your name?\"",
            hint:
                "in answerOne, recv the question, print it, and sendAll \"My name is <name>.\" when it is \"what is your name?\"",
            moreHints: [
                "String(decoding: data, as: UTF8.self) turns the bytes into text; print \"\\(addr): \\(question)\" for every message, look the answer up with answer(to:), print \"\\(name): \\(answer)\" and send it. answer(to:) gives \"My name is \\(name).\", final period included, for exactly \"what is your name?\"",
                "the heart of answerOne: guard let answer = answer(to: question) else { return false }, then pauseIfAsked() and try conn.sendAll(answer)",
            ]
        ) { check in
            for name in ["Kim, Younghee", "Lee, Mong"] {
                try expectNameAnswer(check, name: name)
            }
        },
        Step(
            3,
            "server answers \"How old are you?\" and ends on anything else",
            hint: "answer in a loop until recv returns nothing or the question is unknown; then close and accept again",
            moreHints: [
                "three places: answer(to:) knows \"How old are you?\" (\"I am <age>.\"); answerOne returns false when recv returns an empty array or answer(to:) gives nil; converse calls answerOne until it returns false (and loses its notImplemented line)",
                "converse's whole loop is while try answerOne(over: conn, from: addr) {} — and answerOne starts with if data.isEmpty { return false }",
            ]
        ) { check in
            try expectConversation(check, name: "Park, Jimin", age: 31, unknown: "Where do you live?")
        },
        Step(
            4,
            "client asks both questions and prints the dialogue",
            hint:
                "send each question exactly as the protocol spells it; print each answer exactly as it arrived, after the name taken from \"My name is …\"",
            moreHints: [
                "run() gets its socket from connect() and prints the asker's line; ask sends the question and returns what one recv(1024) brought; answerer(from:) gives what follows \"My name is \", without a final period",
                "in ask: pauseIfAsked(); try s.sendAll(question); let answer = try s.recv(1024) — an empty answer is the server closing: throw Failure(…)",
            ],
            needs: []
        ) { check in
            // The checker answers like a plain Python server might: without the final period.
            try expectClientDialogue(check, asker: "Lee, Mong", answerer: "Park, Jimin", age: 31)
        },
        Step(
            5,
            "--pause: each side waits for Enter, as the slides do",
            hint: "with --pause, call pressEnterToProceed() before sending each answer (server) or question (client)",
            moreHints: [
                "both programs have a pauseIfAsked(): fill in each, and check that answerOne calls it right before sendAll, and ask right before sendAll",
                "if pause { pressEnterToProceed() }",
            ],
            needs: [2, 4]
        ) { check in
            let (server, port) = try check.startServer("greeting-server", ["--pause"])
            let client = try check.connect(to: port)
            try client.send("what is your name?")
            try server.waitForPausePrompt(before: "the answer")
            try client.expectSilence(
                for: .milliseconds(100),
                because: "the server should wait for Enter before answering"
            )
            server.type("\n")
            try client.expect("My name is Kim, Younghee.", waitingFor: "the answer once Enter was pressed")

            let listener = try check.listen()
            let pausing = try check.start("greeting-client", ["--port", String(listener.port), "--pause"])
            let peer = try listener.accept(from: pausing)
            for (number, (question, answer)) in [
                ("what is your name?", "My name is Park"), ("How old are you?", "I am 31"),
            ].enumerated() {
                try pausing.waitForPausePrompt(number + 1, before: "asking \(quoted(question))")
                try peer.expectSilence(
                    for: .milliseconds(100),
                    because: "the client should wait for Enter before asking \(quoted(question))"
                )
                pausing.type("\n")
                try peer.expect(question, waitingFor: "\(quoted(question)) once Enter was pressed")
                try peer.send(answer)
            }
            try pausing.waitForExit(timeout: .seconds(3))
        },
        Step(
            6,
            "two messages in one recv: why the greeting needs a protocol",
            hint:
                "with --together, send both questions in one sendAll and report that the server closed without answering",
            moreHints: [
                "run() looks at the flag first: if together { return try askBothAtOnce(over: s) }. askBothAtOnce sends the two questions glued together in one sendAll, then reads: an empty recv means the server closed",
                "the server needs nothing new: the glued text is neither question, so answer(to:) gives nil and answerOne returns false. A server that answered it accepts more than the exact question — a hasPrefix or contains in answer(to:)?",
            ],
            needs: [3, 4]
        ) { check in
            let (server, port) = try check.startServer("greeting-server")
            let glued = try check.connect(to: port, label: "checker")
            try glued.send("what is your name?How old are you?")
            let answer = try glued.receiveUntilClosed(waitingFor: "the server's reaction to both questions in one send")
            try expect(
                answer.isEmpty,
                "the server answered \(show(answer)) to \"what is your name?How old are you?\", which is neither question: it should have closed the connection"
            )

            let together = try check.start("greeting-client", ["--port", String(port), "--together"])
            try together.waitForExit(timeout: .seconds(3))
            let said = together.output + together.process.standardError
            try expect(
                said.contains("without answering"),
                "lab2-greeting-client --together should report that the server closed the connection without answering"
                    + (said.contains("What is your name?")
                        ? " — it held a whole conversation instead: does run() look at `together` first and call askBothAtOnce?"
                        : "") + "\nit printed:\n" + indented(said.isEmpty ? "(nothing)" : said)
            )
            try expect(
                together.termination != .exited(0),
                "lab2-greeting-client --together should fail (a non-zero exit status): the conversation did not happen"
            )
            try server.waitForLine(
                containing: "what is your name?How old are you?",
                waitingFor: "the glued message, printed as the server received it"
            )

            let normal = try check.connect(to: port, label: "a normal client afterwards")
            try normal.send("what is your name?")
            try normal.expect(
                "My name is Kim, Younghee.",
                waitingFor: "an answer to a normal client after the experiment"
            )
        },
        Step(
            7,
            "IPv6: a server on ::1, a client that connects by name",
            hint:
                "the server's socket takes the family family(of:) finds for --host; the client tries each address getaddrinfo gives for the name, each with a socket of that address's family",
            moreHints: [
                "family(of:) is the family of SocketAddress.resolve(host: host, port: endpoint.port).first — getaddrinfo knows ::1 is IPv6. In connect(), go through SocketAddress.resolve(host: endpoint.host, port: endpoint.port): a Socket of each address's family, connect(address), return it; on an error close it and try the next",
                "the client's loop, as socket.create_connection has it: for address in try SocketAddress.resolve(…) { let s = try Socket(address.family!, .stream); do { try s.connect(address); return s } catch { s.close(); lastError = error } } — after the loop, throw lastError",
            ],
            needs: [3, 4]
        ) { check in
            try expectIPv6(check, name: "Kim, Younghee", age: 22, asker: "Hong, Gil Dong")
        },
    ]
)

// MARK: The checks, public for the held-back variants (which draw other names, ages and questions)

/// Starts the server as `name` (the default one, or with --name) and asks "what is your name?".
public func expectNameAnswer(_ check: Check, name: String) throws {
    let (server, port) = try check.startServer("greeting-server", name == "Kim, Younghee" ? [] : ["--name", name])
    let client = try check.connect(to: port)
    let me = try client.socket.getSockName()
    try client.send("what is your name?")
    try client.expect("My name is \(name).", waitingFor: "the answer to \"what is your name?\"")
    try server.waitForLine(
        containing: "\(me): what is your name?",
        waitingFor: "the question as received, after the client's address: \"\(me): what is your name?\""
    )
    try server.waitForLine(
        containing: "\(name): My name is \(name).",
        waitingFor: "the answer after the server's own name: \"\(name): My name is \(name).\""
    )
}

/// A whole conversation with a server that is `name`, `age`: both questions, then `unknown`, which must end it
/// without a word; then a second client must be served.
public func expectConversation(_ check: Check, name: String, age: Int, unknown: String) throws {
    let (server, port) = try check.startServer("greeting-server", ["--name", name, "--age", String(age)])
    let first = try check.connect(to: port, label: "client 1")
    try first.send("what is your name?")
    try first.expect("My name is \(name).", waitingFor: "the answer to \"what is your name?\"")
    try first.send("How old are you?")
    try first.expect(
        "I am \(age).",
        waitingFor: "the answer to \"How old are you?\"",
        stuck: "does the server answer more than one question per connection?"
    )
    try first.send(unknown)
    let rest = try first.receiveUntilClosed(
        waitingFor: "the server to close the connection after a question it does not know"
    )
    try expect(
        rest.isEmpty,
        "the server answered \(show(rest)) to \(quoted(unknown)), but the protocol says: close the connection"
    )
    try server.waitForLine(
        containing: ": \(unknown)",
        waitingFor: "the unknown question, printed as received like any other (\"ADDR: \(unknown)\")"
    )

    let second = try check.connect(to: port, label: "client 2")
    try second.send("How old are you?")
    try second.expect(
        "I am \(age).",
        waitingFor: "an answer to a second client",
        stuck: "does the server go back to accept() after a conversation ends?"
    )
}

/// The client as `asker` against the checker, which answers as `answerer`, `age` — without the final periods, as a
/// plain Python server might.
public func expectClientDialogue(_ check: Check, asker: String, answerer: String, age: Int) throws {
    let listener = try check.listen()
    let client = try check.start("greeting-client", ["--port", String(listener.port), "--name", asker])
    try playServer(for: client, on: listener, asker: asker, answerer: answerer, age: age)
}

/// The checker as the server the client connected to on `listener`: it expects the two questions, answers them,
/// and compares the dialogue the client printed.
private func playServer(
    for client: Program,
    on listener: Listener,
    asker: String,
    answerer: String,
    age: Int,
    connectHint: String? = nil
) throws {
    let server: Peer
    do {
        server = try listener.accept(from: client)
    } catch let failure as CheckFailure where connectHint != nil {
        throw CheckFailure(failure.message + " — " + connectHint!)
    }
    try server.expectQuestion("what is your name?", stuck: "does the client sendAll its first question?")
    try server.send("My name is \(answerer)")
    try server.expectQuestion(
        "How old are you?",
        stuck: "does the client wait for the first answer, then ask the second question?"
    )
    try server.send("I am \(age)")
    _ = try server.receiveUntilClosed(waitingFor: "the client to close the connection after the second answer")
    try client.waitForExit(timeout: .seconds(3))
    try expectLines(
        client.outputLines,
        equal: [
            "\(asker): Hi. What is your name?",
            "\(answerer): My name is \(answerer)",
            "\(asker): How old are you?",
            "\(answerer): I am \(age)",
        ],
        from: (["lab2-greeting-client"] + withoutPort(client.arguments).map(shellQuoted)).joined(separator: " ")
    )
}

/// IPv6 and names: the server on ::1 alone, then on :: (both families); the client by the name localhost and by
/// the address ::1.
public func expectIPv6(_ check: Check, name: String, age: Int, asker: String) throws {
    try requireIPv6Loopback()
    let identity = ["--name", name, "--age", String(age)]

    // The server on ::1: an IPv4 socket cannot even bind there.
    let (six, port) = try check.startServer("greeting-server", ["--host", "::1"] + identity)
    let client = try check.connect(to: port, host: "::1", label: "IPv6 client")
    let me = try client.socket.getSockName()
    try client.send("what is your name?")
    try client.expect("My name is \(name).", waitingFor: "the answer over IPv6")
    try six.waitForLine(
        containing: "Connected by \(me)",
        waitingFor: "\"Connected by \(me)\": the IPv6 client's address, in brackets"
    )

    // The server on ::, every address of both families: an IPv4 client arrives as ::ffff:127.0.0.1.
    let (_, both) = try check.startServer("greeting-server", ["--host", "::"] + identity)
    for (host, family) in [("::1", "IPv6"), ("127.0.0.1", "IPv4")] {
        let peer = try check.connect(to: both, host: host, label: "\(family) client")
        try peer.send("How old are you?")
        try peer.expect(
            "I am \(age).",
            waitingFor: "the answer over \(family) from a server on ::",
            stuck: "does the server listen on ::, all addresses of both families?"
        )
        peer.close()  // one client at a time: the next is accepted once this one has gone
    }

    // The client by name: the checker listens on only the last address localhost has, so that a client that
    // tries only the first is refused.
    let names = try SocketAddress.resolve(host: "localhost", port: 0).map(\.host)
    guard let last = names.last else {
        throw CheckFailure("this machine cannot resolve localhost (see /etc/hosts)", machine: true)
    }
    let listener = try listen(check, on: last, refusedOn: names.dropLast())
    if names.count > 1 {
        check.note("localhost is \(names.joined(separator: " and ")) here; the checker listens on \(last) only")
    } else {
        check.caveat(
            "localhost is only \(last) on this machine: a client that tries only the first address cannot be caught here"
        )
    }
    let byName = try check.start(
        "greeting-client",
        ["--host", "localhost", "--port", String(listener.port), "--name", asker]
    )
    try playServer(
        for: byName,
        on: listener,
        asker: asker,
        answerer: name,
        age: age,
        connectHint:
            "localhost is \(names.joined(separator: ", then ")) here, and the checker listens on \(last) only: does connect() try each address SocketAddress.resolve gives, with a socket of that address's family?"
    )

    let literal = try check.listen(on: "::1")
    let bySix = try check.start("greeting-client", ["--host", "::1", "--port", String(literal.port), "--name", asker])
    try playServer(
        for: bySix,
        on: literal,
        asker: asker,
        answerer: name,
        age: age,
        connectHint:
            "an .inet socket speaks IPv4 only: does connect() make its socket of the family of the address it connects to?"
    )
}

/// The checker itself must be able to use ::1: a machine without IPv6 cannot run this step, whatever the code.
private func requireIPv6Loopback() throws {
    do {
        try Socket.createServer(("::1", 0)).close()
    } catch {
        throw CheckFailure(
            "this machine has no IPv6 loopback address (::1), which this step needs: \(error)",
            machine: true
        )
    }
}

/// A listener on `host` at a port where nothing answers on `others`: connecting there is refused.
private func listen(_ check: Check, on host: String, refusedOn others: ArraySlice<String>) throws -> Listener {
    var listener = try check.listen(on: host)
    // Another program on the same port number at another address is rare: a few tries find a port without one.
    for _ in 0..<10 where others.contains(where: { answers(on: $0, listener.port) }) {
        listener = try check.listen(on: host)
    }
    return listener
}

private func answers(on host: String, _ port: Int) -> Bool {
    guard let socket = try? Socket.createConnection((host, port), timeout: 1) else { return false }
    socket.close()
    return true
}

extension Peer {
    /// The checker as the server: receives the client's question and checks it is exactly `question`, the bytes the
    /// protocol knows (a server answers nothing else).
    fileprivate func expectQuestion(_ question: String, stuck: String) throws {
        let expected = Array(question.utf8)
        let got = try receive(exactly: expected.count, waitingFor: "the question \(quoted(question))", stuck: stuck)
        guard got != expected else { return }
        let why =
            got.first == UInt8(ascii: "\n")
            ? "a newline after the previous question? The protocol has none"
            : "a server answers only the exact bytes, same case, no newline"
        throw CheckFailure(
            "lab2-greeting-client asked \(show(got)), but the protocol's question is exactly \(quoted(question)): \(why)"
        )
    }
}
