/// How long a model may stay in a phase before its internal transition fires: the `@` of the
/// lecture's diagrams (the time advance `ta` of DEVS).
public enum Deadline: Hashable, Sendable, CustomStringConvertible {
    /// `@∞`: the phase is passive; only an input moves the model on.
    case infinity
    /// `@d`: the internal transition fires `d` after the phase was entered, unless an input moves
    /// the model first. `.after(.zero)` (`@0`) is a transient phase, the only place where a model
    /// can emit an output right after an input.
    case after(Duration)

    /// `@0`: leave at once, emitting the phase's output.
    public static let zero = Deadline.after(.zero)

    /// The deadline as the diagrams write it after the `@`: `∞`, `0`, `5s`, `0.25s`.
    public var description: String {
        switch self {
        case .infinity: "∞"
        case .after(let duration): duration == .zero ? "0" : TimeText.seconds(duration)
        }
    }
}

/// Text for times without Foundation's formatters, in one place for diagrams and traces.
enum TimeText {
    /// `duration` in seconds with an `s` suffix and as many decimals as it takes to be exact:
    /// `5s`, `0.25s`.
    static func seconds(_ duration: Duration) -> String {
        if duration < .zero {
            return "-" + seconds(.zero - duration)
        }
        let (whole, attoseconds) = duration.components
        let digits = String(attoseconds)
        var fraction = String(repeating: "0", count: 18 - digits.count) + digits
        while fraction.last == "0" {
            fraction.removeLast()
        }
        return fraction.isEmpty ? "\(whole)s" : "\(whole).\(fraction)s"
    }

    /// `duration` to the millisecond, as traces print it: `0.412s`, `5.000s`.
    static func trace(_ duration: Duration) -> String {
        let negative = duration < .zero
        let (whole, attoseconds) = (negative ? .zero - duration : duration).components
        let milliseconds = String(attoseconds / 1_000_000_000_000_000)
        return (negative ? "-" : "") + "\(whole)." + String(repeating: "0", count: 3 - milliseconds.count)
            + milliseconds + "s"
    }
}
