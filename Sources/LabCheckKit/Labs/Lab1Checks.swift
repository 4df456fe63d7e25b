import LabSupport

/// Lab 1 · OO greeting: `lab1-greeting` prints the lecture's dialogue between two `Human`s.
let lab1 = Lab(
    number: 1,
    title: "OO greeting",
    folder: "01-oo-greeting",
    programs: ["greeting"],
    usesSockets: false,
    steps: [
        Step(
            1,
            "Human(name:age:) and askName() print the first line",
            hint: "store both values in init, then print \"<name>: Hi. What is your name?\" in askName()",
            moreHints: [
                "in init, `self.name = name` gives the property `name` the parameter's value (and the same for age); delete the placeholder lines and the notImplemented(…) call. In askName(), string interpolation puts the name in the text: \"\\(name): …\"",
                "askName()'s whole body is one line: print(\"\\(name): Hi. What is your name?\")",
            ]
        ) { check in
            try expectDialogue(check, lines: 0..<1)
        },
        Step(
            2,
            "answerName() prints the second line",
            hint: "answerName() prints \"<name>: My name is <name>.\" with the person's own name",
            moreHints: [
                "the name appears twice: before the colon (who speaks) and after \"My name is\" (what they say); mind the final period and the one space after the colon",
                "print(\"\\(name): My name is \\(name).\")",
            ]
        ) { check in
            try expectDialogue(check, lines: 0..<2)
        },
        Step(
            3,
            "askAge() and answerAge() complete the dialogue",
            hint: "askAge() prints \"<name>: How old are you?\", answerAge() prints \"<name>: I am <age>.\"",
            moreHints: [
                "askAge() speaks like askName(), with the other question; answerAge() says the age the Human keeps (self.age). The program prints exactly four lines: a print you added to look around fails the check",
                "print(\"\\(name): I am \\(age).\")",
            ]
        ) { check in
            try expectDialogue(check, lines: 0..<4)
        },
        Step(
            4,
            "anyone can greet: names and ages from the command line",
            hint:
                "make the two Humans in Greeting.run() from the command line's options, and let every method use its Human's own name and age, never a fixed one",
            moreHints: [
                "Greeting's options asker, askerAge, answerer and answererAge hold what the command line gave (the handout's two people when it gave nothing). Try make run LAB=1 PROG=greeting ARGS='--asker \"Lee, Mong\"': the first line must say Lee, Mong",
                "let hong = Human(name: asker, age: askerAge), the same for kim with answerer and answererAge, and remove the notImplemented(…) line; if the check still fails, look in Human.swift for a name in quotes",
            ]
        ) { check in
            for people in [Greeters(("Lee, Mong", 31), ("Park, Jimin", 19)), Greeters(("김철수", 40), ("O'Brien", 7))] {
                try expectDialogue(check, lines: 0..<4, people: people)
            }
        },
    ]
)

/// The two people of a dialogue: who asks, who answers. The handout's are Hong, Gil Dong (20) and Kim, Younghee (22).
public struct Greeters: Sendable {
    public typealias Person = (name: String, age: Int)
    public let asker: Person
    public let answerer: Person

    public init(_ asker: Person, _ answerer: Person) {
        self.asker = asker
        self.answerer = answerer
    }

    public static let handouts = Greeters(("Hong, Gil Dong", 20), ("Kim, Younghee", 22))
}

/// Runs `lab1-greeting` for two people and compares the given lines of its output with the lecture's dialogue.
/// (Public for the held-back checks, which draw other people.)
public func expectDialogue(_ check: Check, lines: Range<Int>, people: Greeters = .handouts) throws {
    let (asker, answerer) = (people.asker, people.answerer)
    let defaults = asker.name == Greeters.handouts.asker.name && answerer.name == Greeters.handouts.answerer.name
    let arguments =
        defaults
        ? []
        : [
            "--asker", asker.name, "--asker-age", String(asker.age),
            "--answerer", answerer.name, "--answerer-age", String(answerer.age),
        ]
    let expected = [
        "\(asker.name): Hi. What is your name?",
        "\(answerer.name): My name is \(answerer.name).",
        "\(asker.name): How old are you?",
        "\(answerer.name): I am \(answerer.age).",
    ]
    // A program that never ends is judged by what it printed: the step whose line is missing is the one to blame.
    let program = try check.run("greeting", arguments, requireExit: false)
    let command = (["lab1-greeting"] + arguments.map(shellQuoted)).joined(separator: " ")
    let printed = program.outputLines
    if program.ranOutOfTime.load(ordering: .relaxed) {
        let still = "and then was still running after 5 s"
        if printed.count < lines.upperBound {
            try expectLines(printed, equal: Array(expected.prefix(printed.count)), from: command)
            throw CheckFailure(
                "`\(command)` printed \(printed.count) line\(printed.count == 1 ? "" : "s") \(still), without printing line \(printed.count + 1), \(quoted(expected[printed.count])) — is it waiting for input (readLine())?"
                    + program.printedSoFar(heading: "it printed")
            )
        }
        if lines.upperBound == expected.count {
            throw CheckFailure(
                "`\(command)` printed the whole dialogue \(still): once the last line is printed, the program should end"
            )
        }
    }
    if lines.upperBound == expected.count {
        try expectLines(program.outputLines, equal: expected, from: command)
    } else {
        try expectLines(
            Array(program.outputLines.prefix(lines.upperBound)),
            equal: Array(expected[lines]),
            from: command
        )
    }
}
