/// An input or output event of a model: its port (the name on the diagram, `?bytes`, `!frame`)
/// and whatever payload the model's own type carries.
///
/// A model's inputs and outputs are usually one enum each; the port is what the declaration's
/// transitions name, so the runtime can check every event against the diagram.
public protocol DEVSEvent: Sendable {
    /// The port name, as declared in the model and drawn on the diagram (without `?` or `!`).
    var port: String { get }
    /// How a trace shows the event, payload included (`bytes(6)`); the port name by default.
    var traceLabel: String { get }
}

extension DEVSEvent {
    public var traceLabel: String {
        port
    }
}

/// A state of the diagram (DEVS calls the discrete part of a state its phase) with its deadline.
public struct Phase: Hashable, Sendable {
    public let name: String
    public let deadline: Deadline

    public init(_ name: String, _ deadline: Deadline) {
        self.name = name
        self.deadline = deadline
    }
}

/// An input port, and what every input on it does to the model's variables before any condition
/// is looked at.
///
/// Conditions often depend on the input already being taken in: a frame receiver can only tell
/// "header incomplete" from "frame complete" after appending the new bytes to its buffer. That
/// common first step is `absorb`; what differs between the transitions is their own action.
public struct InputPort<State, Input>: Sendable, ExpressibleByStringLiteral {
    public let name: String
    let absorb: (@Sendable (inout State, Input) -> Void)?

    public init(_ name: String, absorb: (@Sendable (inout State, Input) -> Void)? = nil) {
        self.name = name
        self.absorb = absorb
    }

    public init(stringLiteral name: String) {
        self.init(name)
    }
}

/// The `[condition]` of a transition: the label drawn on the diagram and the test the runtime
/// evaluates, kept together so the two cannot disagree.
///
/// On an external transition the test sees the model's variables and the input
/// (`Condition("a number") { state, input in ... }`); on an internal one, where there is no input,
/// `Input` is `Void` and the test sees the variables only (`Condition("frame ready") { $0.ready }`).
public struct Condition<State, Input>: Sendable {
    public let label: String
    let test: (@Sendable (State, Input) -> Bool)?

    public init(_ label: String, _ test: @escaping @Sendable (State, Input) -> Bool) {
        self.label = label
        self.test = test
    }

    private init(otherwiseLabel label: String) {
        self.label = label
        self.test = nil
    }

    /// `[else]`: taken when no other condition for the same phase and event holds.
    public static var otherwise: Condition {
        Condition(otherwiseLabel: "else")
    }
}

extension Condition where Input == Void {
    public init(_ label: String, _ test: @escaping @Sendable (State) -> Bool) {
        self.init(label) { state, _ in test(state) }
    }
}

/// One arrow of the diagram: an external transition (an input arrives) or an internal one (the
/// phase's deadline expires).
///
/// Transitions are data: the diagram is drawn from them and the runtime follows only them, so a
/// behaviour that is not on the diagram is an error at run time rather than a silent surprise.
public struct Transition<State, Input, Output>: Sendable {
    /// What makes the transition fire.
    public enum Trigger: Hashable, Sendable {
        /// `?port`: an input on this port.
        case input(String)
        /// The deadline of the phase the transition leaves.
        case deadline
    }

    public let from: String
    public let to: String
    public let trigger: Trigger
    /// The output port of an internal transition (`!port`), nil for none.
    public let output: String?
    /// The condition's label, nil when the transition has none.
    public let condition: String?
    /// Whether an external transition keeps the deadline already running instead of starting the
    /// target phase's deadline afresh. See `external(from:on:when:to:keepingDeadline:action:)`.
    public let keepsDeadline: Bool

    enum Test: Sendable {
        case always
        case otherwise
        case input(@Sendable (State, Input) -> Bool)
        case state(@Sendable (State, Void) -> Bool)
    }

    let test: Test
    let inputAction: (@Sendable (inout State, Input) -> Void)?
    let stateAction: (@Sendable (inout State) -> Void)?
    let emit: (@Sendable (State) -> Output)?

    /// `from --?input [condition]--> to`: fires when an input arrives on port `input` while the
    /// model is in `from` and the condition holds (after the port's `absorb`).
    ///
    /// Entering `to` starts its deadline afresh, as in classic DEVS and pyevsim. With
    /// `keepingDeadline`, the deadline already running carries on instead: a frame receiver's
    /// per-frame timeout starts at the frame's first byte, and bytes that trickle in afterwards
    /// (self-loops in HEADER, the move from HEADER to BODY) must not push it back, or a peer
    /// sending one byte a second would never time out. DEVS has this as the elapsed time `e` of
    /// an external transition (the new time advance is `σ - e`); a flag on the arrow says it
    /// without arithmetic. It is only allowed between phases with the same finite deadline, so
    /// the `@` on the diagram stays true.
    public static func external(
        from: String,
        on input: String,
        when condition: Condition<State, Input>? = nil,
        to: String,
        keepingDeadline: Bool = false,
        action: (@Sendable (inout State, Input) -> Void)? = nil
    ) -> Transition {
        Transition(
            from: from,
            to: to,
            trigger: .input(input),
            output: nil,
            condition: condition?.label,
            keepsDeadline: keepingDeadline,
            test: condition.map { $0.test.map(Test.input) ?? .otherwise } ?? .always,
            inputAction: action,
            stateAction: nil,
            emit: nil
        )
    }

    /// `from --!output [condition]--> to`: fires at the deadline of `from`, first emitting
    /// `emit(state)` on port `output` (DEVS's λ, computed before the action changes anything),
    /// then running `action`. Outputs happen only here, which is why transient `@0` phases exist.
    public static func `internal`(
        from: String,
        when condition: Condition<State, Void>? = nil,
        output: String,
        emit: @escaping @Sendable (State) -> Output,
        to: String,
        action: (@Sendable (inout State) -> Void)? = nil
    ) -> Transition {
        Transition(
            from: from,
            to: to,
            trigger: .deadline,
            output: output,
            condition: condition?.label,
            keepsDeadline: false,
            test: condition.map { $0.test.map(Test.state) ?? .otherwise } ?? .always,
            inputAction: nil,
            stateAction: action,
            emit: emit
        )
    }

    /// `from --@deadline [condition]--> to`: fires at the deadline of `from` without an output.
    public static func `internal`(
        from: String,
        when condition: Condition<State, Void>? = nil,
        to: String,
        action: (@Sendable (inout State) -> Void)? = nil
    ) -> Transition {
        Transition(
            from: from,
            to: to,
            trigger: .deadline,
            output: nil,
            condition: condition?.label,
            keepsDeadline: false,
            test: condition.map { $0.test.map(Test.state) ?? .otherwise } ?? .always,
            inputAction: nil,
            stateAction: action,
            emit: nil
        )
    }
}
