/// What a run in virtual time produced.
public struct SimulationResult<State, Output> {
    /// Every output, in the order emitted, stamped with its virtual time.
    public var outputs: [Timed<Output>]
    /// Every transition, in the order taken.
    public var trace: [TraceEntry]
    /// The phase the model ended in.
    public var phase: String
    /// The model's variables at the end.
    public var state: State
}

extension SimulationResult: Sendable where State: Sendable, Output: Sendable {}

extension AtomicModel {
    /// Runs the model in virtual time from 0: delivers each input at its time, fires every
    /// deadline that falls before the next input or by `end`, and returns the outputs and the
    /// trace. Deterministic, so a test is a script of timed inputs and the outputs it expects.
    ///
    /// Inputs must be in time order, and `end` no earlier than the last of them; several inputs
    /// may share an instant and are delivered in the order given.
    public func simulate(
        from state: State,
        inputs: [Timed<Input>],
        until end: Duration
    ) throws(DEVSError) -> SimulationResult<State, Output> {
        var simulator = AtomicSimulator(self, state: state)
        var outputs: [Timed<Output>] = []
        var trace: [TraceEntry] = []
        for input in inputs {
            outputs += try simulator.receive(input.value, at: input.time) { trace.append($0) }
        }
        outputs += try simulator.advance(to: end) { trace.append($0) }
        return SimulationResult(outputs: outputs, trace: trace, phase: simulator.phase, state: simulator.state)
    }
}
