/// A DEVS atomic model, declared as data: phases with deadlines, input and output ports, and the
/// transitions between phases.
///
/// The same declaration is drawn (`mermaid()`, `dot()`) and run (`AtomicSimulator`,
/// `simulate(from:inputs:until:)`), so the diagram in the handout is the behaviour of the program.
/// Model-specific variables (a receive buffer, a counter) live in `State`, a value the
/// transitions' conditions read and actions update; a model declaration holds no state of its
/// own and can be shared by any number of simulators, one per connection.
///
/// Mistakes that can be seen in the declaration alone are refused here, with a
/// `DeclarationError`: unknown phases or ports, a timed phase with no way out at its deadline, an
/// internal transition from a passive phase, conditions that can never be told apart.
public struct AtomicModel<State, Input: DEVSEvent, Output: DEVSEvent>: Sendable {
    /// Everything the runtime looks up, resolved to indices once, so each event costs a couple of
    /// array reads and one dictionary lookup of the port name.
    final class Tables: Sendable {
        let name: String
        let phases: [Phase]
        let initial: Int
        let inputs: [InputPort<State, Input>]
        let outputs: [String]
        let transitions: [Transition<State, Input, Output>]
        let inputIndex: [String: Int]
        /// Each transition's `from` and `to` as phase indices.
        let source: [Int]
        let target: [Int]
        /// `external[phase][input]`: the transitions to consider, in declaration order.
        let external: [[[Int]]]
        /// `internal[phase]`: the transitions to consider at the phase's deadline.
        let `internal`: [[Int]]

        init(
            name: String,
            phases: [Phase],
            initial: Int,
            inputs: [InputPort<State, Input>],
            outputs: [String],
            transitions: [Transition<State, Input, Output>],
            inputIndex: [String: Int],
            source: [Int],
            target: [Int],
            external: [[[Int]]],
            internal: [[Int]]
        ) {
            self.name = name
            self.phases = phases
            self.initial = initial
            self.inputs = inputs
            self.outputs = outputs
            self.transitions = transitions
            self.inputIndex = inputIndex
            self.source = source
            self.target = target
            self.external = external
            self.internal = `internal`
        }
    }

    let tables: Tables

    /// - Parameters:
    ///   - name: the model's name, used as the title of its DOT graph.
    ///   - initial: the phase the model starts in.
    ///   - phases: every phase, in the order the diagrams list them.
    ///   - inputs: the input ports (a string literal declares one that absorbs nothing).
    ///   - outputs: the output port names.
    ///   - transitions: every arrow, in the order the diagrams draw them.
    public init(
        _ name: String,
        initial: String,
        phases: [Phase],
        inputs: [InputPort<State, Input>],
        outputs: [String],
        transitions: [Transition<State, Input, Output>]
    ) throws(DeclarationError) {
        var phaseIndex: [String: Int] = [:]
        for (index, phase) in phases.enumerated() {
            let name = phase.name
            if name.isEmpty || name == "[*]" || name.unicodeScalars.contains(where: Self.isControl) {
                throw .invalidPhaseName(name)
            }
            if phaseIndex.updateValue(index, forKey: name) != nil { throw .duplicateName(name) }
            if case .after(let duration) = phase.deadline, duration < .zero { throw .negativeDeadline(phase: name) }
        }
        guard let initialIndex = phaseIndex[initial] else { throw .unknownPhase(initial) }

        var inputIndex: [String: Int] = [:]
        for (index, port) in inputs.enumerated() where inputIndex.updateValue(index, forKey: port.name) != nil {
            throw .duplicateName(port.name)
        }
        var outputSet: Set<String> = []
        for port in outputs where !outputSet.insert(port).inserted {
            throw .duplicateName(port)
        }

        var source: [Int] = []
        var target: [Int] = []
        var external = Array(repeating: Array(repeating: [Int](), count: inputs.count), count: phases.count)
        var `internal` = Array(repeating: [Int](), count: phases.count)
        for (index, transition) in transitions.enumerated() {
            guard let from = phaseIndex[transition.from] else { throw .unknownPhase(transition.from) }
            guard let to = phaseIndex[transition.to] else { throw .unknownPhase(transition.to) }
            source.append(from)
            target.append(to)
            switch transition.trigger {
            case .input(let port):
                guard let input = inputIndex[port] else { throw .unknownInput(port) }
                if transition.keepsDeadline,
                    phases[from].deadline != phases[to].deadline || phases[from].deadline == .infinity
                {
                    throw .keptDeadlineMismatch(from: transition.from, to: transition.to)
                }
                external[from][input].append(index)
            case .deadline:
                if let port = transition.output, !outputSet.contains(port) { throw .unknownOutput(port) }
                if phases[from].deadline == .infinity { throw .internalFromPassivePhase(transition.from) }
                `internal`[from].append(index)
            }
        }

        for (index, phase) in phases.enumerated() {
            if phase.deadline != .infinity, `internal`[index].isEmpty {
                throw .noInternalTransition(phase: phase.name)
            }
            try Self.checkConditions(
                `internal`[index],
                in: transitions,
                phase: phase,
                event: "@" + phase.deadline.description
            )
            for (port, candidates) in zip(inputs, external[index]) {
                try Self.checkConditions(candidates, in: transitions, phase: phase, event: "?" + port.name)
            }
        }

        tables = Tables(
            name: name,
            phases: phases,
            initial: initialIndex,
            inputs: inputs,
            outputs: outputs,
            transitions: transitions,
            inputIndex: inputIndex,
            source: source,
            target: target,
            external: external,
            internal: `internal`
        )
    }

    /// An unconditional transition must be the only one for its phase and event, and `else` needs
    /// conditions to be the else of, once: otherwise which arrow fires could not be read off the
    /// diagram.
    private static func checkConditions(
        _ candidates: [Int],
        in transitions: [Transition<State, Input, Output>],
        phase: Phase,
        event: String
    ) throws(DeclarationError) {
        var unconditional = 0
        var otherwise = 0
        for index in candidates {
            switch transitions[index].test {
            case .always: unconditional += 1
            case .otherwise: otherwise += 1
            case .input, .state: break
            }
        }
        let overlap =
            (unconditional > 0 && candidates.count > 1)
            || otherwise > 1
            || (otherwise == 1 && candidates.count == 1)
        if overlap { throw .overlappingConditions(phase: phase.name, event: event) }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    public var name: String { tables.name }
    public var phases: [Phase] { tables.phases }
    public var initialPhase: String { tables.phases[tables.initial].name }
    public var inputs: [String] { tables.inputs.map(\.name) }
    public var outputs: [String] { tables.outputs }
    public var transitions: [Transition<State, Input, Output>] { tables.transitions }
}

/// A declaration the runtime could not follow faithfully, found when the model is built.
public enum DeclarationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Empty, containing control characters, or `[*]` (the diagrams' start marker).
    case invalidPhaseName(String)
    /// Two phases, or two ports of the same direction, share a name.
    case duplicateName(String)
    case negativeDeadline(phase: String)
    /// The initial phase or a transition's end is not a declared phase.
    case unknownPhase(String)
    case unknownInput(String)
    case unknownOutput(String)
    /// A phase @∞ never reaches its deadline, so an internal transition from it could never fire.
    case internalFromPassivePhase(String)
    /// A phase with a finite deadline has nowhere to go when it expires.
    case noInternalTransition(phase: String)
    /// An unconditional transition shares its phase and event with others, or `else` appears more
    /// than once or alone.
    case overlappingConditions(phase: String, event: String)
    /// `keepingDeadline` between phases whose deadlines differ or are ∞.
    case keptDeadlineMismatch(from: String, to: String)

    public var description: String {
        switch self {
        case .invalidPhaseName(let name): "invalid phase name \"\(name)\""
        case .duplicateName(let name): "\"\(name)\" is declared twice"
        case .negativeDeadline(let phase): "phase \(phase) has a negative deadline"
        case .unknownPhase(let name): "no phase is named \(name)"
        case .unknownInput(let port): "no input port is named \(port)"
        case .unknownOutput(let port): "no output port is named \(port)"
        case .internalFromPassivePhase(let phase): "phase \(phase) is @∞, so its internal transitions can never fire"
        case .noInternalTransition(let phase): "phase \(phase) has a deadline but no internal transition"
        case .overlappingConditions(let phase, let event):
            "in \(phase) on \(event): an unconditional transition must be the only one, and [else] needs other conditions, once"
        case .keptDeadlineMismatch(let from, let to):
            "\(from) → \(to) keeps its deadline, so both phases need the same finite deadline"
        }
    }
}
