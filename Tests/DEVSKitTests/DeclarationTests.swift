import DEVSKit
import Testing

@Suite struct DeclarationTests {
    let two = [Phase("A", .infinity), Phase("B", .infinity)]

    @Test func aDeclarationIsReadableData() throws {
        let model = try asker(wait: .seconds(5))
        #expect(model.name == "Asker")
        #expect(model.initialPhase == "ASK")
        #expect(model.phases.map(\.name) == ["ASK", "WAIT", "DONE", "GAVE_UP"])
        #expect(model.phases[1].deadline == .after(.seconds(5)))
        #expect(model.inputs == ["answer"])
        #expect(model.outputs == ["ask", "timeout"])
        let done = model.transitions[1]
        #expect(done.from == "WAIT" && done.to == "DONE")
        #expect(done.trigger == .input("answer"))
        #expect(done.condition == "not empty")
        #expect(done.output == nil)
        #expect(!done.keepsDeadline)
        #expect(model.transitions[0].trigger == .deadline)
        #expect(model.transitions[0].output == "ask")
        #expect(model.transitions[2].condition == "else")
    }

    @Test func phaseNames() {
        for name in ["", "[*]", "A\nB", "A\u{7F}"] {
            #expect(throws: DeclarationError.invalidPhaseName(name)) {
                try tiny(initial: name, phases: [Phase(name, .infinity)], [])
            }
        }
        #expect(throws: DeclarationError.duplicateName("A")) {
            try tiny(phases: [Phase("A", .infinity), Phase("A", .zero)], [])
        }
        #expect(throws: DeclarationError.negativeDeadline(phase: "A")) {
            try tiny(phases: [Phase("A", .after(.seconds(-1)))], [])
        }
        #expect(throws: DeclarationError.unknownPhase("Z")) { try tiny(initial: "Z", phases: two, []) }
    }

    @Test func ports() {
        #expect(throws: DeclarationError.duplicateName("poke")) { try tiny(phases: two, inputs: ["poke", "poke"], []) }
        #expect(throws: DeclarationError.duplicateName("beep")) {
            try tiny(phases: two, outputs: ["beep", "beep"], [])
        }
        #expect(throws: DeclarationError.unknownInput("stray")) {
            try tiny(phases: two, [.external(from: "A", on: "stray", to: "B")])
        }
        #expect(throws: DeclarationError.unknownOutput("boop")) {
            try tiny(
                phases: [Phase("A", .zero), Phase("B", .infinity)],
                [.internal(from: "A", output: "boop", emit: beep, to: "B")]
            )
        }
    }

    @Test func transitionEnds() {
        #expect(throws: DeclarationError.unknownPhase("Z")) {
            try tiny(phases: two, [.external(from: "A", on: "poke", to: "Z")])
        }
        #expect(throws: DeclarationError.unknownPhase("Z")) {
            try tiny(phases: two, [.external(from: "Z", on: "poke", to: "A")])
        }
    }

    @Test func deadlinesAndInternalTransitions() {
        #expect(throws: DeclarationError.internalFromPassivePhase("A")) {
            try tiny(phases: two, [.internal(from: "A", to: "B")])
        }
        #expect(throws: DeclarationError.noInternalTransition(phase: "B")) {
            try tiny(phases: [Phase("A", .infinity), Phase("B", .after(.seconds(1)))], [])
        }
    }

    @Test func conditionsThatCannotBeToldApart() {
        let holds = Condition<Counter, Poke>("x") { _, _ in true }
        let cases: [[TinyTransition]] = [
            [.external(from: "A", on: "poke", to: "A"), .external(from: "A", on: "poke", when: holds, to: "B")],
            [.external(from: "A", on: "poke", to: "A"), .external(from: "A", on: "poke", to: "B")],
            [.external(from: "A", on: "poke", when: .otherwise, to: "A")],
            [
                .external(from: "A", on: "poke", when: holds, to: "A"),
                .external(from: "A", on: "poke", when: .otherwise, to: "B"),
                .external(from: "A", on: "poke", when: .otherwise, to: "A"),
            ],
        ]
        for transitions in cases {
            #expect(throws: DeclarationError.overlappingConditions(phase: "A", event: "?poke")) {
                try tiny(phases: two, transitions)
            }
        }
        #expect(throws: DeclarationError.overlappingConditions(phase: "A", event: "@1s")) {
            try tiny(
                phases: [Phase("A", .after(.seconds(1))), Phase("B", .infinity)],
                [.internal(from: "A", to: "B"), .internal(from: "A", when: Condition("y") { _ in true }, to: "A")]
            )
        }
        // Different inputs, or the same input in different phases, do not overlap.
        #expect(throws: Never.self) {
            try tiny(
                phases: two,
                [
                    .external(from: "A", on: "poke", to: "B"), .external(from: "A", on: "other", to: "B"),
                    .external(from: "B", on: "poke", to: "A"),
                ]
            )
        }
    }

    @Test func keepingTheDeadlineNeedsTheSameFiniteDeadline() {
        #expect(throws: DeclarationError.keptDeadlineMismatch(from: "A", to: "B")) {
            try tiny(
                phases: [Phase("A", .after(.seconds(1))), Phase("B", .after(.seconds(2)))],
                [
                    .external(from: "A", on: "poke", to: "B", keepingDeadline: true),
                    .internal(from: "A", to: "A"), .internal(from: "B", to: "B"),
                ]
            )
        }
        #expect(throws: DeclarationError.keptDeadlineMismatch(from: "A", to: "A")) {
            try tiny(phases: two, [.external(from: "A", on: "poke", to: "A", keepingDeadline: true)])
        }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(
            DeclarationError.noInternalTransition(phase: "HEADER").description
                == "phase HEADER has a deadline but no internal transition"
        )
        #expect(
            DeclarationError.keptDeadlineMismatch(from: "A", to: "B").description
                == "A → B keeps its deadline, so both phases need the same finite deadline"
        )
    }
}
