/// Lab 2 · Networked greeting: lab 1's dialogue across a TCP connection, in the course homework's wire protocol —
/// "what is your name?" → "My name is <name>.", "How old are you?" → "I am <age>.", anything else ends it.
let lab2 = Lab(
    number: 2, title: "Networked greeting", folder: "02-networked-greeting",
    programs: ["greeting-server", "greeting-client"],
    steps: [
        Step(1, "server listens, accepts, and says who connected",
             hint: "print \"listening on\" with getSockName() after listen(), and \"Connected by\" with accept()'s address") { check in
            let (server, port) = try check.startServer("greeting-server")
            let client = try check.connect(to: port)
            let me = try client.socket.getSockName()
            let line = try server.waitForLine(startingWith: "Connected by", waitingFor: "\"Connected by ADDR\" after accept()")
            try expect(line, equals: "Connected by \(me)", "the line that says who connected")
        },
        Step(2, "server answers \"what is your name?\"",
             hint: "recv the question, print it, and sendAll \"My name is <name>.\" when it is \"what is your name?\"") { check in
            for (name, arguments) in [("Kim, Younghee", []), ("Lee, Mong", ["--name", "Lee, Mong"])] {
                let (server, port) = try check.startServer("greeting-server", arguments)
                let client = try check.connect(to: port)
                let me = try client.socket.getSockName()
                try client.send("what is your name?")
                try client.expect("My name is \(name).", waitingFor: "the answer to \"what is your name?\"")
                try server.waitForLine(
                    containing: "\(me): what is your name?",
                    waitingFor: "the question as received, after the client's address: \"\(me): what is your name?\"")
                try server.waitForLine(
                    containing: "\(name): My name is \(name).",
                    waitingFor: "the answer after the server's own name: \"\(name): My name is \(name).\"")
            }
        },
        Step(3, "server answers \"How old are you?\" and ends on anything else",
             hint: "answer in a loop until recv returns nothing or the question is unknown; then close and accept again") { check in
            let (server, port) = try check.startServer("greeting-server", ["--name", "Park, Jimin", "--age", "31"])
            let first = try check.connect(to: port, label: "client 1")
            try first.send("what is your name?")
            try first.expect("My name is Park, Jimin.", waitingFor: "the answer to \"what is your name?\"")
            try first.send("How old are you?")
            try first.expect("I am 31.", waitingFor: "the answer to \"How old are you?\"",
                             stuck: "does the server answer more than one question per connection?")
            try first.send("Where do you live?")
            let rest = try first.receiveUntilClosed(
                waitingFor: "the server to close the connection after a question it does not know")
            try expect(rest.isEmpty, "the server answered \(show(rest)) to \"Where do you live?\", but the protocol says: close the connection")
            try server.waitForLine(
                containing: ": Where do you live?",
                waitingFor: "the unknown question, printed as received like any other (\"ADDR: Where do you live?\")")

            let second = try check.connect(to: port, label: "client 2")
            try second.send("How old are you?")
            try second.expect("I am 31.", waitingFor: "an answer to a second client",
                              stuck: "does the server go back to accept() after a conversation ends?")
        },
        Step(4, "client asks both questions and prints the dialogue",
             hint: "send each question exactly as the protocol spells it; print each answer exactly as it arrived, after the name taken from \"My name is …\"",
             needs: []) { check in
            // The checker answers like a plain Python server might: without the final period.
            let listener = try check.listen()
            let client = try check.start("greeting-client", ["--port", String(listener.port), "--name", "Lee, Mong"])
            let server = try listener.accept(from: client)
            try server.expectQuestion("what is your name?", stuck: "does the client sendAll its first question?")
            try server.send("My name is Park, Jimin")
            try server.expectQuestion(
                "How old are you?", stuck: "does the client wait for the first answer, then ask the second question?")
            try server.send("I am 31")
            _ = try server.receiveUntilClosed(waitingFor: "the client to close the connection after the second answer")
            try client.waitForExit(timeout: .seconds(3))
            try expectLines(client.outputLines, equal: [
                "Lee, Mong: Hi. What is your name?",
                "Park, Jimin: My name is Park, Jimin",
                "Lee, Mong: How old are you?",
                "Park, Jimin: I am 31",
            ], from: "lab2-greeting-client --name \"Lee, Mong\"")
        },
        Step(5, "--pause: each side waits for Enter, as the slides do",
             hint: "with --pause, call pressEnterToProceed() before sending each answer (server) or question (client)",
             needs: [2, 4]) { check in
            let (server, port) = try check.startServer("greeting-server", ["--pause"])
            let client = try check.connect(to: port)
            try client.send("what is your name?")
            try server.waitForPausePrompt(before: "the answer")
            try client.expectSilence(for: .milliseconds(100), because: "the server should wait for Enter before answering")
            server.type("\n")
            try client.expect("My name is Kim, Younghee.", waitingFor: "the answer once Enter was pressed")

            let listener = try check.listen()
            let pausing = try check.start("greeting-client", ["--port", String(listener.port), "--pause"])
            let peer = try listener.accept(from: pausing)
            for (number, (question, answer)) in [("what is your name?", "My name is Park"), ("How old are you?", "I am 31")].enumerated() {
                try pausing.waitForPausePrompt(number + 1, before: "asking \(quoted(question))")
                try peer.expectSilence(for: .milliseconds(100), because: "the client should wait for Enter before asking \(quoted(question))")
                pausing.type("\n")
                try peer.expect(question, waitingFor: "\(quoted(question)) once Enter was pressed")
                try peer.send(answer)
            }
            try pausing.waitForExit(timeout: .seconds(3))
        },
        Step(6, "two messages in one recv: why the greeting needs a protocol",
             hint: "with --together, send both questions in one sendAll and report that the server closed without answering",
             needs: [3, 4]) { check in
            let (server, port) = try check.startServer("greeting-server")
            let glued = try check.connect(to: port, label: "checker")
            try glued.send("what is your name?How old are you?")
            let answer = try glued.receiveUntilClosed(waitingFor: "the server's reaction to both questions in one send")
            try expect(answer.isEmpty, "the server answered \(show(answer)) to \"what is your name?How old are you?\", which is neither question: it should have closed the connection")

            let together = try check.start("greeting-client", ["--port", String(port), "--together"])
            try together.waitForExit(timeout: .seconds(3))
            let said = together.output + together.process.standardError
            try expect(said.contains("without answering"),
                       "lab2-greeting-client --together should report that the server closed the connection without answering; it printed: \(quoted(said))")
            try expect(together.termination != .exited(0),
                       "lab2-greeting-client --together should fail (a non-zero exit status): the conversation did not happen")
            try server.waitForLine(containing: "what is your name?How old are you?",
                                   waitingFor: "the glued message, printed as the server received it")

            let normal = try check.connect(to: port, label: "a normal client afterwards")
            try normal.send("what is your name?")
            try normal.expect("My name is Kim, Younghee.", waitingFor: "an answer to a normal client after the experiment")
        },
    ])

extension Peer {
    /// The checker as the server: receives the client's question and checks it is exactly `question`, the bytes the
    /// protocol knows (a server answers nothing else).
    fileprivate func expectQuestion(_ question: String, stuck: String) throws {
        let expected = Array(question.utf8)
        let got = try receive(exactly: expected.count, waitingFor: "the question \(quoted(question))", stuck: stuck)
        guard got != expected else { return }
        let why = got.first == UInt8(ascii: "\n")
            ? "a newline after the previous question? The protocol has none"
            : "a server answers only the exact bytes, same case, no newline"
        throw CheckFailure(
            "lab2-greeting-client asked \(show(got)), but the protocol's question is exactly \(quoted(question)): \(why)")
    }
}
