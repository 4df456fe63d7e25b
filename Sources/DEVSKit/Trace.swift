/// One transition as it happened: what `--trace` prints and what tests compare.
public struct TraceEntry: Hashable, Sendable, CustomStringConvertible {
    /// What moved the model.
    public enum Event: Hashable, Sendable, CustomStringConvertible {
        /// An input, by its `traceLabel`: `?bytes(6)`.
        case input(String)
        /// An internal transition that emitted an output, by its `traceLabel`: `!error(timeout)`.
        case output(String)
        /// An internal transition without output, by the deadline that expired: `@5s`.
        case deadline(Deadline)

        public var description: String {
            switch self {
            case .input(let label): "?" + label
            case .output(let label): "!" + label
            case .deadline(let deadline): "@" + deadline.description
            }
        }
    }

    public let time: Duration
    public let from: String
    public let to: String
    public let event: Event
    /// The label of the condition that held, if the transition has one.
    public let condition: String?

    public init(time: Duration, from: String, to: String, event: Event, condition: String? = nil) {
        self.time = time
        self.from = from
        self.to = to
        self.event = event
        self.condition = condition
    }

    /// `  0.412s  HEADER → BODY  ?bytes(6) [body incomplete]`: time to the millisecond, right
    /// aligned to line up over a session of less than 10,000 seconds.
    public var description: String {
        let time = TimeText.trace(time)
        let padding = String(repeating: " ", count: max(2, 10 - time.count))
        let condition = condition.map { " [\($0)]" } ?? ""
        return padding + time + "  \(from) → \(to)  \(event)" + condition
    }
}

/// A value at a point in (virtual or real) time: a timed input for a simulation, or an output.
public struct Timed<Value> {
    public var time: Duration
    public var value: Value

    public init(_ time: Duration, _ value: Value) {
        self.time = time
        self.value = value
    }
}

extension Timed: Equatable where Value: Equatable {}
extension Timed: Hashable where Value: Hashable {}
extension Timed: Sendable where Value: Sendable {}

extension Timed: CustomStringConvertible {
    public var description: String {
        TimeText.trace(time) + " " + String(describing: value)
    }
}
