import ArgumentParser
import DEVSKit

/// What `--simulate` shows: `model` run in virtual time from `state` on the timed `inputs` until `end`, each
/// transition as it was taken, then the phase it ended in. The same lines on every run.
public func printSimulation<State, Input, Output>(
    of model: AtomicModel<State, Input, Output>,
    from state: State,
    inputs: [Timed<Input>],
    until end: Duration
) throws {
    let result = try model.simulate(from: state, inputs: inputs, until: end)
    for entry in result.trace { print(entry) }
    print("ended in \(result.phase)")
}

/// `--simulate 1:Kim --simulate 2.5:…` as timed inputs: each item `SECONDS:WHAT`, in time order, `WHAT` read by
/// `input` (which throws a `ValidationError` saying what it expected).
func timedScript<Input>(_ items: [String], example: String, _ input: (String) throws -> Input) throws -> [Timed<Input>]
{
    var inputs: [Timed<Input>] = []
    for item in items {
        guard let colon = item.firstIndex(of: ":"), let time = Double(item[..<colon]), time >= 0, time.isFinite else {
            throw ValidationError("--simulate \(item): expected SECONDS:\(example)")
        }
        let at = Duration.nanoseconds(Int64((time * 1e9).rounded()))  // 1.2 s exactly, not 1.19999…
        if let last = inputs.last, at < last.time {
            throw ValidationError("--simulate: the inputs must be in time order")
        }
        inputs.append(Timed(at, try input(String(item[item.index(after: colon)...]))))
    }
    return inputs
}

extension DiagramFormat: ExpressibleByArgument {}
