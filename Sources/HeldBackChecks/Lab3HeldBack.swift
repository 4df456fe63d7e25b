import LabCheckKit

/// Lab 3: other payloads — binary as well as text —, other sizes, other split points, other numbers of clients and
/// messages. The chaotic peers cut them as the step's seed says.
let lab3HeldBack: [Step] = [
    Step(1, "one echo of another message", hint: publicHint(lab: 3, step: 1)) { check in
        let message = check.draw { random in
            drawBytes(Int.random(in: 1...200, using: &random), binary: Bool.random(using: &random), using: &random)
        }
        check.note("held back: a message of \(message.count) bytes")
        try expectFirstEcho(check, message: message)
    },
    Step(2, "other clients with other messages", hint: publicHint(lab: 3, step: 2)) { check in
        let clients = check.draw { random in
            (0..<Int.random(in: 2...3, using: &random)).map { _ in
                (0..<Int.random(in: 1...5, using: &random)).map { _ in
                    drawBytes(Int.random(in: 1...3000, using: &random), binary: true, using: &random)
                }
            }
        }
        check.note(
            "held back: \(clients.count) clients, with \(clients.map { String($0.count) }.joined(separator: ", ")) messages"
        )
        try expectEchoUntilClosed(check, clients: clients)
    },
    Step(3, "nothing lost, at other sizes and split points", hint: publicHint(lab: 3, step: 3)) { check in
        let (vanishing, parts, bulk) = check.draw { random in
            let message = drawBytes(Int.random(in: 5...300, using: &random), binary: true, using: &random)
            let cuts = Set(
                (0..<Int.random(in: 1...3, using: &random)).map { _ in
                    Int.random(in: 1..<message.count, using: &random)
                }
            ).sorted()
            let bounds = [0] + cuts + [message.count]
            let parts = zip(bounds, bounds.dropFirst()).map { Array(message[$0..<$1]) }
            let bulk = drawBytes(Int.random(in: 256 << 10...2 << 20, using: &random), binary: true, using: &random)
            return (Int.random(in: 50_000...400_000, using: &random), parts, bulk)
        }
        check.note(
            "held back: a vanishing client of \(vanishing) bytes, a message in \(parts.count) parts, \(bulk.count) bytes"
        )
        try expectNothingLost(check, vanishing: vanishing, parts: parts, bulk: bulk)
    },
    Step(4, "the client with another message and other lines", hint: publicHint(lab: 3, step: 4)) { check in
        let (message, split, lines) = check.draw { random in
            let message = drawText(Int.random(in: 2...60, using: &random), using: &random)
            let lines = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                drawText(Int.random(in: 1...40, using: &random), using: &random) + "\n"
            }
            return (message, Int.random(in: 1..<message.utf8.count, using: &random), lines)
        }
        check.note(
            "held back: the message \(message.debugDescription), echoed in two parts cut at byte \(split); \(lines.count) lines"
        )
        try expectClientEcho(check, message: message, split: split, lines: lines)
    },
    Step(6, "other datagrams from other senders", hint: publicHint(lab: 3, step: 6)) { check in
        let (datagrams, clientMessage) = check.draw { random in
            var datagrams = (0..<Int.random(in: 3...6, using: &random)).map { _ in
                (
                    Int.random(in: 0...1, using: &random),
                    drawBytes(Int.random(in: 1...1400, using: &random), binary: true, using: &random)
                )
            }
            datagrams[0].0 = 1  // bob sends at least once: the server must say who sent what
            return (datagrams, drawText(Int.random(in: 1...60, using: &random), using: &random))
        }
        check.note("held back: \(datagrams.count) datagrams from two senders")
        try expectDatagramEcho(
            check,
            datagrams: datagrams.map { (socket: $0.0, bytes: $0.1) },
            clientMessage: clientMessage
        )
    },
    Step(7, "a Unix domain socket, with other messages", hint: publicHint(lab: 3, step: 7)) { check in
        let (messages, pythonMessage, clientMessage) = check.draw { random in
            (
                (0..<Int.random(in: 1...4, using: &random)).map { _ in
                    drawBytes(Int.random(in: 1...3000, using: &random), binary: true, using: &random)
                }, drawText(Int.random(in: 1...60, using: &random), using: &random),
                drawText(Int.random(in: 1...60, using: &random), using: &random)
            )
        }
        check.note("held back: \(messages.count) messages over the Unix socket")
        try expectUnixSocket(check, messages: messages, pythonMessage: pythonMessage, clientMessage: clientMessage)
    },
]

/// `count` bytes: any values at all, or printable ASCII.
private func drawBytes(_ count: Int, binary: Bool, using random: inout SeededRandom) -> [UInt8] {
    (0..<count).map { _ in
        binary ? UInt8.random(in: 0...255, using: &random) : UInt8.random(in: 0x20...0x7E, using: &random)
    }
}

/// Text a command line or a typed line can carry: letters of several scripts, digits, spaces, quotes and
/// backslashes — never a newline, and never a first character that looks like an option.
private func drawText(_ count: Int, using random: inout SeededRandom) -> String {
    let pool = Array(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.:;!?'\"\\()[]{}#@%&*+=/éüßçñ한국어日本語"
    )
    var text = String((0..<count).map { _ in pool.randomElement(using: &random)! })
    if text.first == "-" || text.first == " " { text = "x" + text.dropFirst() }
    return text
}
