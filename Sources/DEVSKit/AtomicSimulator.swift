/// Runs one atomic model, in virtual or in real time: time is a `Duration` since a start the
/// caller chooses, and the simulator only ever moves forward to the times it is given.
///
/// Virtual time (tests, `AtomicModel.simulate`) passes the times of a script; real time (a server)
/// passes `RealTimeClock.now()`. Either way the code path is this one:
///
/// ```swift
/// var receiver = AtomicSimulator(model, state: .init(), at: clock.now())
/// // select(timeout: clock.timeout(until: receiver.nextEventTime)) ...
/// for output in try receiver.receive(.bytes(chunk), at: clock.now()) { ... }
/// for output in try receiver.advance(to: clock.now()) { ... }   // deadlines that expired
/// ```
///
/// Each event costs O(1) in the number of simulators, so a server can keep one per connection and
/// take the earliest `nextEventTime` as its select timeout.
///
/// **Simultaneous events.** When an input arrives exactly at a deadline, the internal transition
/// fires first, then the input is applied in the phase it led to (as the newer pyevsim does). A
/// frame that completes at the very instant of its timeout has therefore timed out.
///
/// **Errors.** An input or deadline for which the declaration has no transition, or more than one
/// whose condition holds, throws a `DEVSError` naming the phase, the event and the conditions
/// tried. The model is wrong at that point, so the simulator stops: later calls throw the same
/// error, and outputs of transitions taken earlier in the failing call are not returned (the
/// trace has seen them). A server closes that connection; a test has found a bug in its model.
public struct AtomicSimulator<State, Input: DEVSEvent, Output: DEVSEvent> {
    public let model: AtomicModel<State, Input, Output>
    /// The model's variables.
    public private(set) var state: State
    /// The latest time the simulator was moved to; it never goes back.
    public private(set) var now: Duration
    /// When the current phase's internal transition is due, or nil while the model is passive
    /// (`@∞`): the instant a selector loop should wake up for this model.
    public private(set) var nextEventTime: Duration?
    /// How many transitions may happen at one instant before a cycle of `@0` phases is reported
    /// as an error instead of hanging the caller.
    public var transitionLimitPerInstant = 1_000_000

    private var phaseIndex: Int
    private var failure: DEVSError?

    /// Starts `model` in its initial phase at `start`, with the variables in `state`.
    public init(_ model: AtomicModel<State, Input, Output>, state: State, at start: Duration = .zero) {
        self.model = model
        self.state = state
        self.now = start
        self.phaseIndex = model.tables.initial
        self.nextEventTime = Self.due(model.tables.phases[phaseIndex].deadline, from: start)
    }

    /// The name of the current phase.
    public var phase: String {
        model.tables.phases[phaseIndex].name
    }

    /// Delivers an input at `time`: fires the internal transitions due up to `time` (they come
    /// first), then the input's transition, then the transient phases it leads to, and returns the
    /// outputs of all of them in order. `trace` sees every transition as it happens.
    public mutating func receive(
        _ input: Input,
        at time: Duration,
        trace: (TraceEntry) -> Void = { _ in }
    ) throws(DEVSError) -> [Timed<Output>] {
        var outputs: [Timed<Output>] = []
        try moveTime(to: time, event: "?" + input.port)
        try fireDue(upTo: time, into: &outputs, trace: trace)
        try fail(with: applyExternal(input, at: time, trace: trace))
        try fireDue(upTo: time, into: &outputs, trace: trace)
        return outputs
    }

    /// Moves to `time`, firing every internal transition due up to it, and returns their outputs
    /// stamped with the instants they were due (not `time`, which may be later).
    public mutating func advance(
        to time: Duration,
        trace: (TraceEntry) -> Void = { _ in }
    ) throws(DEVSError) -> [Timed<Output>] {
        var outputs: [Timed<Output>] = []
        try moveTime(to: time, event: "advance")
        try fireDue(upTo: time, into: &outputs, trace: trace)
        return outputs
    }

    // MARK: - Running the declaration

    private mutating func moveTime(to time: Duration, event: String) throws(DEVSError) {
        if let failure { throw failure }
        if time < now {
            try fail(with: DEVSError(.timeWentBackwards(now: now), time: time, phase: phase, event: event))
        }
        now = time
    }

    private mutating func fail(with error: DEVSError?) throws(DEVSError) {
        guard let error else { return }
        failure = error
        throw error
    }

    private mutating func fireDue(
        upTo time: Duration,
        into outputs: inout [Timed<Output>],
        trace: (TraceEntry) -> Void
    ) throws(DEVSError) {
        var firedAtInstant = 0
        var instant: Duration? = nil
        while let due = nextEventTime, due <= time {
            firedAtInstant = due == instant ? firedAtInstant + 1 : 1
            instant = due
            if firedAtInstant > transitionLimitPerInstant {
                try fail(
                    with: DEVSError(
                        .tooManyTransitionsAtOneInstant(limit: transitionLimitPerInstant),
                        time: due,
                        phase: phase,
                        event: "@" + model.tables.phases[phaseIndex].deadline.description
                    )
                )
            }
            try fail(with: applyInternal(at: due, into: &outputs, trace: trace))
        }
    }

    /// Returns the error instead of throwing it so that every path records it in `failure`.
    private mutating func applyExternal(_ input: Input, at time: Duration, trace: (TraceEntry) -> Void) -> DEVSError? {
        let tables = model.tables
        let event = "?" + input.port
        guard let port = tables.inputIndex[input.port] else {
            return DEVSError(.undeclaredInput, time: time, phase: phase, event: event)
        }
        tables.inputs[port].absorb?(&state, input)
        let candidates = tables.external[phaseIndex][port]
        let choice = choose(among: candidates) { test in
            switch test {
            case .input(let holds): holds(state, input)
            case .state(let holds): holds(state, ())
            case .always: true
            case .otherwise: false
            }
        }
        let index: Int
        switch choice {
        case .chosen(let found): index = found
        case .refused(let problem): return DEVSError(problem, time: time, phase: phase, event: event)
        }
        let transition = tables.transitions[index]
        transition.inputAction?(&state, input)
        let from = phase
        phaseIndex = tables.target[index]
        if !transition.keepsDeadline {
            nextEventTime = Self.due(tables.phases[phaseIndex].deadline, from: time)
        }
        trace(
            TraceEntry(
                time: time,
                from: from,
                to: phase,
                event: .input(input.traceLabel),
                condition: transition.condition
            )
        )
        return nil
    }

    private mutating func applyInternal(
        at time: Duration,
        into outputs: inout [Timed<Output>],
        trace: (TraceEntry) -> Void
    ) -> DEVSError? {
        let tables = model.tables
        let deadline = tables.phases[phaseIndex].deadline
        let choice = choose(among: tables.internal[phaseIndex]) { test in
            switch test {
            case .state(let holds): holds(state, ())
            case .always: true
            case .input, .otherwise: false
            }
        }
        let index: Int
        switch choice {
        case .chosen(let found): index = found
        case .refused(let problem):
            return DEVSError(problem, time: time, phase: phase, event: "@" + deadline.description)
        }
        let transition = tables.transitions[index]
        var event = TraceEntry.Event.deadline(deadline)
        if let port = transition.output, let emit = transition.emit {
            let output = emit(state)
            guard output.port == port else {
                return DEVSError(
                    .outputMismatch(declared: port, emitted: output.port),
                    time: time,
                    phase: phase,
                    event: "!" + port
                )
            }
            outputs.append(Timed(time, output))
            event = .output(output.traceLabel)
        }
        transition.stateAction?(&state)
        let from = phase
        phaseIndex = tables.target[index]
        nextEventTime = Self.due(tables.phases[phaseIndex].deadline, from: time)
        trace(TraceEntry(time: time, from: from, to: phase, event: event, condition: transition.condition))
        return nil
    }

    private enum Choice {
        case chosen(Int)
        case refused(DEVSError.Problem)
    }

    /// The one transition among `candidates` whose condition holds, `else` if none does.
    private func choose(
        among candidates: [Int],
        holds: (Transition<State, Input, Output>.Test) -> Bool
    ) -> Choice {
        let transitions = model.tables.transitions
        var matched: Int? = nil
        var matchCount = 0
        var otherwise: Int? = nil
        for index in candidates {
            if case .otherwise = transitions[index].test { otherwise = index }
            if holds(transitions[index].test) {
                matched = index
                matchCount += 1
            }
        }
        if matchCount == 1, let matched { return .chosen(matched) }
        if matchCount == 0, let otherwise { return .chosen(otherwise) }
        let listed = candidates.filter { matchCount == 0 || holds(transitions[$0].test) }.map(describe)
        return .refused(matchCount == 0 ? .noTransition(tried: listed) : .ambiguous(matching: listed))
    }

    private func describe(_ index: Int) -> String {
        let transition = model.tables.transitions[index]
        return (transition.condition.map { "[\($0)] " } ?? "") + "→ " + transition.to
    }

    private static func due(_ deadline: Deadline, from time: Duration) -> Duration? {
        switch deadline {
        case .infinity: nil
        case .after(let duration): time + duration
        }
    }
}

extension AtomicSimulator: Sendable where State: Sendable {}

/// The model did something its declaration does not allow, or was driven wrongly.
public struct DEVSError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Problem: Hashable, Sendable {
        /// The model has no input port of that name at all.
        case undeclaredInput
        /// No declared transition for this phase and event has a condition that holds; `tried`
        /// lists them as `[condition] → TO` (empty: none is declared).
        case noTransition(tried: [String])
        /// More than one condition holds, listed like `tried`.
        case ambiguous(matching: [String])
        /// An internal transition's `emit` produced an output on another port than declared.
        case outputMismatch(declared: String, emitted: String)
        /// A time earlier than one already reached (`now`).
        case timeWentBackwards(now: Duration)
        /// `@0` phases kept firing at one instant: a cycle with no way out.
        case tooManyTransitionsAtOneInstant(limit: Int)
    }

    public let problem: Problem
    public let time: Duration
    /// The phase the model was in.
    public let phase: String
    /// The event being handled: `?port` for an input, `@deadline` or `!port` for an internal
    /// transition, `advance` for a call to `advance(to:)`.
    public let event: String

    public init(_ problem: Problem, time: Duration, phase: String, event: String) {
        self.problem = problem
        self.time = time
        self.phase = phase
        self.event = event
    }

    public var description: String {
        let prefix = "at \(TimeText.trace(time)) in \(phase) on \(event): "
        switch problem {
        case .undeclaredInput:
            return prefix + "the model declares no such input"
        case .noTransition(let tried):
            return prefix
                + (tried.isEmpty
                    ? "no transition is declared" : "no condition holds among " + tried.joined(separator: ", "))
        case .ambiguous(let matching):
            return prefix + "more than one condition holds: " + matching.joined(separator: ", ")
        case .outputMismatch(let declared, let emitted):
            return prefix + "emitted !\(emitted) where the declaration says !\(declared)"
        case .timeWentBackwards(let now):
            return prefix + "time went backwards from \(TimeText.trace(now))"
        case .tooManyTransitionsAtOneInstant(let limit):
            return prefix + "more than \(limit) transitions at one instant (a cycle of @0 phases?)"
        }
    }
}
