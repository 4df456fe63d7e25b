import FrameKit
import LabCheckKit

/// Lab 5: other names (1–32 bytes of UTF-8, in several scripts), other texts and frame bodies, other ages.
let lab5HeldBack: [Step] = [
    Step(1, "HELLO for other names", hint: "the length counts the name's UTF-8 bytes, whatever the name") { check in
        let names = check.draw { random in Drawn.names(3, &random) }
        check.note("held back: --name \(names.joined(separator: ", --name "))")
        try expectHelloFrames(check, names: names)
    },
    Step(
        3,
        "the chat, with other people and other texts",
        hint: "print every message the reader holds after each recv; send what is typed, whatever it says"
    ) { check in
        let (received, typed) = check.draw { random in
            let people = Drawn.names(3, &random)
            let received: [Message] = [
                .deliver(from: people[0], text: Drawn.text(&random)), .users(Array(people.prefix(2))),
                .deliver(from: people[1], text: Drawn.text(&random, words: 10...40)),
                .error(code: .noSuchUser, message: "nobody called \(people[2]) is logged in"),
                .deliver(from: people[0], text: Drawn.text(&random)),
            ]
            let (text, broadcast) = (Drawn.text(&random), Drawn.text(&random))
            let typed: [(line: String, message: Message)] = [
                ("@\(people[1]): \(text)", .send(to: people[1], text: text)), ("/list", .list),
                (broadcast, .broadcast(broadcast)),
            ]
            return (received, typed)
        }
        check.note("held back: \(received.count) frames from other people, \(typed.count) other lines typed")
        try expectChatClient(check, received: received, typed: typed)
    },
    Step(6, "PONG for other bodies", hint: "PONG carries the PING's body, byte for byte, whatever its bytes") { check in
        let (bodies, dribbled, big) = check.draw { random in
            (
                (0..<3).map { _ in Drawn.bytes(&random, count: 0...2000) }, Drawn.payload(&random, bytes: 1...40),
                Drawn.bytes(&random, count: 20_000...65_000)
            )
        }
        check.note(
            "held back: PINGs of \(bodies.map { String($0.count) }.joined(separator: ", ")) and \(big.count) bytes"
        )
        try expectPongs(check, bodies: bodies, dribbled: dribbled, big: big)
    },
    Step(
        8,
        "HELLO and WELCOME for other names",
        hint: "a name is any 1–32 bytes of UTF-8 without a newline; each is free again once its connection ends"
    ) { check in
        let names = check.draw { random in Drawn.names(3, &random) }
        check.note("held back: \(names.joined(separator: ", "))")
        try expectLogIns(check, names)
    },
    Step(
        9,
        "relay between other people, other texts",
        hint: "DELIVER from the sender's connection's name, to the name in the SEND; USERS sorted by UTF-8 bytes"
    ) { check in
        let (names, texts) = check.draw { random in
            (
                Drawn.names(4, &random),
                [Drawn.text(&random), Drawn.text(&random) + "\n" + Drawn.text(&random), Drawn.text(&random)]
            )
        }
        check.note("held back: \(names.joined(separator: ", "))")
        try expectRelay(check, names: names, texts: texts)
    },
    Step(
        14,
        "the greeting between two other people",
        hint: "the dialogue uses the names the persons logged in under, and the answering person's --age"
    ) { check in
        let (people, age) = check.draw { random in (Drawn.names(2, &random), Int.random(in: 1...99, using: &random)) }
        check.note("held back: \(people[0]) asks \(people[1]) (\(age))")
        try expectGreetingThroughRouter(check, asker: people[0], answerer: people[1], age: age)
    },
]
