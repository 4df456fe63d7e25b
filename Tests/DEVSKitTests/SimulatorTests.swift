import DEVSKit
import Testing

// Small models to pin down the runtime's rules one at a time.

enum Poke: DEVSEvent, Equatable {
    case poke(Int)
    case other
    case stray

    var port: String {
        switch self {
        case .poke: "poke"
        case .other: "other"
        case .stray: "stray"
        }
    }

    var traceLabel: String {
        switch self {
        case .poke(let value): "poke(\(value))"
        default: port
        }
    }
}

enum Beep: DEVSEvent, Equatable {
    case beep(Int)
    case wrong

    var port: String {
        switch self {
        case .beep: "beep"
        case .wrong: "wrong"
        }
    }
}

struct Counter: Sendable, Equatable {
    var count = 0
}

typealias Tiny = AtomicModel<Counter, Poke, Beep>
typealias TinyTransition = Transition<Counter, Poke, Beep>

func tiny(
    initial: String = "A",
    phases: [Phase],
    inputs: [InputPort<Counter, Poke>] = ["poke", "other"],
    outputs: [String] = ["beep"],
    _ transitions: [TinyTransition]
) throws -> Tiny {
    try Tiny("Tiny", initial: initial, phases: phases, inputs: inputs, outputs: outputs, transitions: transitions)
}

let beep: @Sendable (Counter) -> Beep = { .beep($0.count) }

func value(_ input: Poke) -> Int {
    if case .poke(let value) = input { value } else { 0 }
}

@Suite struct SemanticsTests {
    @Test func anInputAtTheDeadlineComesAfterTheInternalTransition() throws {
        let model = try tiny(
            initial: "WAIT",
            phases: [Phase("WAIT", .after(.seconds(2))), Phase("POKED", .infinity), Phase("LATE", .infinity)],
            [
                .external(from: "WAIT", on: "poke", to: "POKED"),
                .internal(from: "WAIT", output: "beep", emit: beep, to: "LATE"),
                .external(from: "LATE", on: "poke", to: "LATE"),
            ]
        )
        let tie = try model.simulate(from: Counter(), inputs: [Timed(.seconds(2), .poke(1))], until: .seconds(10))
        #expect(tie.outputs == [Timed(.seconds(2), .beep(0))])
        #expect(
            tie.trace == [
                TraceEntry(time: .seconds(2), from: "WAIT", to: "LATE", event: .output("beep")),
                TraceEntry(time: .seconds(2), from: "LATE", to: "LATE", event: .input("poke(1)")),
            ]
        )

        let early = try model.simulate(
            from: Counter(),
            inputs: [Timed(.seconds(2) - .nanoseconds(1), .poke(1))],
            until: .seconds(10)
        )
        #expect(early.outputs.isEmpty)
        #expect(early.phase == "POKED")
    }

    @Test(arguments: [false, true])
    func aSelfLoopRestartsTheDeadlineUnlessItKeepsIt(keeping: Bool) throws {
        let model = try tiny(
            phases: [Phase("A", .after(.seconds(3))), Phase("B", .infinity)],
            [
                .external(from: "A", on: "poke", to: "A", keepingDeadline: keeping),
                .internal(from: "A", output: "beep", emit: beep, to: "B"),
                .external(from: "B", on: "poke", to: "B"),
            ]
        )
        let ticks = (1...4).map { Timed(Duration.seconds($0), Poke.poke($0)) }
        let result = try model.simulate(from: Counter(), inputs: ticks, until: .seconds(20))
        // Restarting: the last tick at 4 s sets the deadline to 7 s. Keeping: the deadline set
        // on entering A at 0 s stands, so it fires at 3 s, before the tick at 3 s.
        #expect(result.outputs == [Timed(keeping ? .seconds(3) : .seconds(7), .beep(0))])
    }

    @Test func internalSelfLoopsRestartAndOutputComesBeforeTheAction() throws {
        let model = try tiny(
            initial: "GEN",
            phases: [Phase("GEN", .after(.seconds(1)))],
            [.internal(from: "GEN", output: "beep", emit: beep, to: "GEN", action: { $0.count += 1 })]
        )
        let result = try model.simulate(from: Counter(), inputs: [], until: .milliseconds(3_500))
        #expect(
            result.outputs == [
                Timed(.seconds(1), .beep(0)), Timed(.seconds(2), .beep(1)), Timed(.seconds(3), .beep(2)),
            ]
        )
        #expect(result.state.count == 3)
    }

    @Test func transientPhasesFireInOrderAtOneInstant() throws {
        let model = try tiny(
            phases: [Phase("A", .infinity), Phase("B", .zero), Phase("C", .zero), Phase("D", .infinity)],
            [
                .external(from: "A", on: "poke", to: "B", action: { s, input in s.count = value(input) }),
                .internal(from: "B", output: "beep", emit: beep, to: "C", action: { $0.count += 1 }),
                .internal(from: "C", output: "beep", emit: beep, to: "D"),
            ]
        )
        var simulator = AtomicSimulator(model, state: Counter())
        #expect(simulator.nextEventTime == nil)
        let outputs = try simulator.receive(.poke(10), at: .seconds(4))
        #expect(outputs == [Timed(.seconds(4), .beep(10)), Timed(.seconds(4), .beep(11))])
        #expect(simulator.phase == "D")
        #expect(simulator.now == .seconds(4))
        #expect(simulator.nextEventTime == nil)
    }

    @Test func theSimulatorReportsItsNextEventTime() throws {
        var simulator = AtomicSimulator(try asker(wait: .seconds(5)), state: AskerState(), at: .seconds(100))
        #expect(simulator.phase == "ASK")
        #expect(simulator.nextEventTime == .seconds(100))
        #expect(try simulator.advance(to: .seconds(100)) == [Timed(.seconds(100), .ask)])
        #expect(simulator.nextEventTime == .seconds(105))
        #expect(try simulator.advance(to: .seconds(104)).isEmpty)
        #expect(try simulator.receive(.answer(""), at: .seconds(104)) == [Timed(.seconds(104), .ask)])
        #expect(simulator.nextEventTime == .seconds(109))
        // Advancing late stamps the output with when it was due, not with the late time.
        #expect(try simulator.advance(to: .seconds(200)) == [Timed(.seconds(109), .timeout)])
        #expect(simulator.nextEventTime == nil)
    }

    @Test func theTraceHookSeesEveryTransitionAsItHappens() throws {
        var simulator = AtomicSimulator(try asker(), state: AskerState())
        var lines: [String] = []
        _ = try simulator.receive(.answer("Kim"), at: .milliseconds(412)) { lines.append($0.description) }
        #expect(
            lines == [
                "    0.000s  ASK → WAIT  !ask",
                "    0.412s  WAIT → DONE  ?answer(Kim) [not empty]",
            ]
        )
    }
}

@Suite struct RuntimeErrorTests {
    static func guarded() throws -> Tiny {
        try tiny(
            phases: [Phase("A", .infinity), Phase("EVEN", .infinity), Phase("BIG", .infinity)],
            [
                .external(
                    from: "A",
                    on: "poke",
                    when: Condition("even") { _, input in value(input) % 2 == 0 },
                    to: "EVEN"
                ),
                .external(from: "A", on: "poke", when: Condition("big") { _, input in value(input) > 100 }, to: "BIG"),
            ]
        )
    }

    @Test func noConditionHolding() throws {
        var simulator = AtomicSimulator(try Self.guarded(), state: Counter())
        let error = try #require(throws: DEVSError.self) { try simulator.receive(.poke(3), at: .seconds(1)) }
        #expect(
            error
                == DEVSError(
                    .noTransition(tried: ["[even] → EVEN", "[big] → BIG"]),
                    time: .seconds(1),
                    phase: "A",
                    event: "?poke"
                )
        )
        #expect(error.description == "at 1.000s in A on ?poke: no condition holds among [even] → EVEN, [big] → BIG")
    }

    @Test func moreThanOneConditionHolding() throws {
        var simulator = AtomicSimulator(try Self.guarded(), state: Counter())
        #expect(
            throws: DEVSError(
                .ambiguous(matching: ["[even] → EVEN", "[big] → BIG"]),
                time: .zero,
                phase: "A",
                event: "?poke"
            )
        ) {
            try simulator.receive(.poke(200), at: .zero)
        }
    }

    @Test func aDeclaredInputWithNoTransitionFromThisPhase() throws {
        var simulator = AtomicSimulator(try Self.guarded(), state: Counter())
        #expect(throws: DEVSError(.noTransition(tried: []), time: .seconds(2), phase: "A", event: "?other")) {
            try simulator.receive(.other, at: .seconds(2))
        }
    }

    @Test func anInputTheModelDoesNotDeclare() throws {
        var simulator = AtomicSimulator(try Self.guarded(), state: Counter())
        #expect(throws: DEVSError(.undeclaredInput, time: .zero, phase: "A", event: "?stray")) {
            try simulator.receive(.stray, at: .zero)
        }
    }

    @Test func noConditionHoldingAtTheDeadline() throws {
        let model = try tiny(
            phases: [Phase("A", .after(.seconds(1))), Phase("B", .infinity)],
            [.internal(from: "A", when: Condition("never") { _ in false }, to: "B")]
        )
        var simulator = AtomicSimulator(model, state: Counter())
        #expect(throws: DEVSError(.noTransition(tried: ["[never] → B"]), time: .seconds(1), phase: "A", event: "@1s")) {
            try simulator.advance(to: .seconds(5))
        }
    }

    @Test func anOutputOnAnotherPortThanDeclared() throws {
        let model = try tiny(
            phases: [Phase("A", .zero), Phase("B", .infinity)],
            [.internal(from: "A", output: "beep", emit: { _ in .wrong }, to: "B")]
        )
        var simulator = AtomicSimulator(model, state: Counter())
        #expect(
            throws: DEVSError(
                .outputMismatch(declared: "beep", emitted: "wrong"),
                time: .zero,
                phase: "A",
                event: "!beep"
            )
        ) {
            try simulator.advance(to: .zero)
        }
    }

    @Test func timeGoingBackwardsStopsTheSimulator() throws {
        var simulator = AtomicSimulator(try asker(), state: AskerState())
        _ = try simulator.advance(to: .seconds(3))
        let error = DEVSError(.timeWentBackwards(now: .seconds(3)), time: .seconds(2), phase: "WAIT", event: "?answer")
        #expect(throws: error) { try simulator.receive(.answer("Kim"), at: .seconds(2)) }
        // Stopped: the same error again, even for a valid call.
        #expect(throws: error) { try simulator.advance(to: .seconds(4)) }
    }

    @Test func aCycleOfTransientPhasesIsReportedNotHung() throws {
        let model = try tiny(phases: [Phase("A", .zero)], [.internal(from: "A", to: "A", action: { $0.count += 1 })])
        var simulator = AtomicSimulator(model, state: Counter())
        simulator.transitionLimitPerInstant = 100
        #expect(throws: DEVSError(.tooManyTransitionsAtOneInstant(limit: 100), time: .zero, phase: "A", event: "@0")) {
            try simulator.advance(to: .seconds(1))
        }
        #expect(simulator.state.count == 100)
    }
}
