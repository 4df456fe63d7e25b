import LabCheckKit

/// Lab 2: other names and ages, and other questions the server must not know. The protocol itself — the two
/// questions, one recv per message — is the handout's, and never chaotic.
let lab2HeldBack: [Step] = [
    Step(2, "another person answers \"what is your name?\"", hint: publicHint(lab: 2, step: 2)) { check in
        let name = check.draw { protocolName(using: &$0) }
        check.note("held back: the server is \(name)")
        try expectNameAnswer(check, name: name)
    },
    Step(3, "a whole conversation with another person, ended by another question", hint: publicHint(lab: 2, step: 3)) {
        check in
        let (name, age, unknown) = check.draw { random in
            (
                protocolName(using: &random), Int.random(in: 7...95, using: &random),
                nearMisses.randomElement(using: &random)!
            )
        }
        check.note("held back: the server is \(name), \(age); the question it must not know is \(unknown)")
        try expectConversation(check, name: name, age: age, unknown: unknown)
    },
    Step(4, "the client's dialogue with other people", hint: publicHint(lab: 2, step: 4)) { check in
        let (asker, answerer, age) = check.draw { random in
            var pool = heldBackNames.filter { $0.allSatisfy(\.isASCII) }.shuffled(using: &random)
            return (pool.removeLast(), pool.removeLast(), Int.random(in: 7...95, using: &random))
        }
        check.note("held back: \(asker) asks the checker, who is \(answerer), \(age)")
        try expectClientDialogue(check, asker: asker, answerer: answerer, age: age)
    },
    Step(7, "IPv6 and names, with other people", hint: publicHint(lab: 2, step: 7)) { check in
        let (name, age, asker) = check.draw { random in
            var pool = heldBackNames.filter { $0.allSatisfy(\.isASCII) }.shuffled(using: &random)
            return (pool.removeLast(), Int.random(in: 7...95, using: &random), pool.removeLast())
        }
        check.note("held back: the server is \(name), \(age); the client is \(asker)")
        try expectIPv6(check, name: name, age: age, asker: asker)
    },
]

/// The protocol is plain ASCII: names from the shared list that are.
private func protocolName(using random: inout SeededRandom) -> String {
    heldBackNames.filter { $0.allSatisfy(\.isASCII) }.randomElement(using: &random)!
}

/// Near misses of the two questions, and others: a server answers only the exact bytes.
private let nearMisses = [
    "Where do you live?", "What is your name?", "what is your name", "how old are you?", "what's your name?",
    "How old are you ?", "what is your name? ", "bye",
]
