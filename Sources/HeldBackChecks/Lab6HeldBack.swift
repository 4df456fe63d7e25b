import LabCheckKit

/// Lab 6: other users (ids, first names that HTML must escape), other messages, other names and ages in the greeting.
let lab6HeldBack: [Step] = [
    Step(
        2,
        "other users, other messages: each echoed once",
        hint: "reply to each message with its own text, in its own chat, once"
    ) { check in
        let (first, second, batch) = check.draw { random in
            let ids = Array(Set((0..<8).map { _ in Int64.random(in: 2000...999_999, using: &random) })).sorted()
                .shuffled(using: &random)
            let names = Drawn.names(2, &random)
            return (
                (ids[0], names[0], Drawn.text(&random)), (ids[1], names[1], Drawn.text(&random)),
                (0..<Int.random(in: 2...5, using: &random)).map { _ in Drawn.text(&random) }
            )
        }
        check.note("held back: users \(first.0) and \(second.0), then \(batch.count) messages at once")
        try expectBotEchoes(check, first: first, second: second, batch: batch)
    },
    Step(
        3,
        "/start for another name that HTML must escape; another unknown command",
        hint: "escape the user's first name with ParseMode.html.escape, whatever it holds"
    ) { check in
        let (user, helper, unknown) = check.draw { random in
            (
                (Int64.random(in: 2000...499_999, using: &random), htmlNames.randomElement(using: &random)!),
                Int64.random(in: 500_000...999_999, using: &random), unknownCommands.randomElement(using: &random)!
            )
        }
        check.note("held back: /start from \(user.1), /\(unknown)")
        try expectBotCommands(check, user: user, helper: helper, unknown: unknown)
    },
    Step(
        4,
        "the greeting with other names and ages",
        hint: "the dialogue uses the name and age the user gave, and getMe's first name"
    ) { check in
        let (first, second, echoed) = check.draw { random in
            let names = Drawn.names(2, &random)
            let first = (
                Int64.random(in: 2000...499_999, using: &random), names[0], Int.random(in: 1...120, using: &random)
            )
            return (
                first, (Int64.random(in: 500_000...999_999, using: &random), names[1]),
                String(Int.random(in: 1...99, using: &random))
            )
        }
        check.note("held back: user \(first.0) is \(first.1) (\(first.2)); user \(second.0) is \(second.1)")
        try expectBotGreeting(check, first: first, second: second, echoed: echoed)
    },
]

/// First names with what HTML must escape in them.
private let htmlNames = [
    "Tom & Jerry", "<b>bold</b>", "a<b", "x > y", "O'Neill & Sons", "김영희 <3", "\"Quoted\"", "Kim <3 Lee",
]

private let unknownCommands = ["weather", "nope", "start2", "dice", "settings", "helpme"]
