import LabCheckKit

/// Lab 4: other numbers of clients, other payloads (any bytes, of other sizes), other patterns for the slow reader,
/// other descriptor limits, other messages for the client.
let lab4HeldBack: [Step] = [
    Step(
        1,
        "another number of clients, every one accepted at once",
        hint: "accept until it would block, each time the listening socket is readable"
    ) { check in
        let count = check.draw { Int.random(in: 4...12, using: &$0) }
        check.note("held back: \(count) clients")
        try expectEveryoneAccepted(check, clients: count)
    },
    Step(
        2,
        "other clients, other bytes: each gets its own back",
        hint: "echo exactly the bytes recv returned, to the socket they came from, whatever they are"
    ) { check in
        let (clients, lastWords, probe) = check.draw { random in
            let clients = (1...Int.random(in: 3...6, using: &random)).map { number in
                (
                    "client \(number)",
                    (0..<Int.random(in: 1...3, using: &random)).map { _ in Drawn.payload(&random, bytes: 1...3000) }
                )
            }
            return (clients, Drawn.bytes(&random, count: 1...2000), Drawn.payload(&random, bytes: 1...500))
        }
        check.note(
            "held back: \(clients.count) clients, \(clients.map { $0.1.count }.reduce(0, +)) messages of \(clients.flatMap { $0.1.map(\.count) }.reduce(0, +)) bytes"
        )
        try expectOwnEchoes(check, clients: clients, lastWords: lastWords, probe: probe)
    },
    Step(
        3,
        "backpressure with other patterns and other idle clients",
        hint:
            "watch .write only while outb has bytes, stop reading while it is full, and send every byte before closing"
    ) { check in
        let (idle, slow, vanishing, blocked, after) = check.draw { random in
            (
                Int.random(in: 3...20, using: &random), Int.random(in: 3...250, using: &random),
                Int.random(in: 3...250, using: &random),
                Drawn.text(&random), Drawn.text(&random)
            )
        }
        check.note("held back: \(idle) idle clients, patterns \(slow) and \(vanishing)")
        try expectBackpressure(check, idle: idle, patterns: (slow, vanishing), probes: (blocked, after))
    },
    Step(
        4,
        "other descriptor limits, other crowds",
        hint:
            "raise the descriptor limit first thing; out of descriptors, stop watching the listening socket until a connection closes"
    ) { check in
        let (clients, serverLimit, fixed, extra) = check.draw { random in
            (
                Int.random(in: 100...180, using: &random), Int.random(in: 40...80, using: &random),
                Int.random(in: 20...40, using: &random),
                Int.random(in: 4...12, using: &random)
            )
        }
        check.note(
            "held back: \(clients) clients for a server with \(serverLimit) descriptors; \(fixed + extra) for one with \(fixed) for good"
        )
        try expectManyClients(
            check,
            clients: clients,
            serverLimit: serverLimit,
            fixedLimit: fixed,
            crowd: fixed + extra
        )
    },
    Step(
        5,
        "another number of connections, all started at once",
        hint: "start every connection before the select loop; getSockOpt(.error) at the first event says how each ended"
    ) { check in
        let (count, message) = check.draw { random in
            (Int.random(in: 2...9, using: &random), Drawn.text(&random, words: 1...3))
        }
        check.note("held back: \(count) connections")
        try expectConnectionsAtOnce(check, connections: count, messages: [message])
    },
    Step(
        6,
        "other messages, other connections, another wrong byte",
        hint: "compare every byte that comes back with what was sent, from receivedCount on"
    ) { check in
        let (count, messages, bad, corrupting) = check.draw { random in
            let bad = Int.random(in: 2...5, using: &random)
            return (
                Int.random(in: 2...8, using: &random),
                (0..<Int.random(in: 1...3, using: &random)).map { _ in Drawn.text(&random) },
                bad, Int.random(in: 0..<bad, using: &random)
            )
        }
        check.note(
            "held back: \(count) connections sending \(messages.count) messages; connection \(corrupting + 1) of \(bad) gets a wrong byte"
        )
        try expectEchoesCompared(check, connections: count, messages: messages, corrupting: corrupting, of: bad)
    },
]
