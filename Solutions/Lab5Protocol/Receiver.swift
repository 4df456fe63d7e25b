import DEVSKit
import Lab5Given
import LabSupport

// The receiving side of one router connection, as a DEVS atomic model: the diagram in the handout is drawn from
// `receiverModel(frameTimeout:)`, and the router runs that same declaration, one simulator per connection. Its
// inputs, outputs and variables (`ReceiverState`, with the conditions) are given, in Lab5Given.

/// The receiver, after the lecture's notation:
///
///     IDLE    @∞             ?bytes → classify                ?eof → CLOSED
///     HEADER  @frame-timeout ?bytes → classify (same deadline) ?eof → FAIL    @ !error(timeout) → CLOSED
///     BODY    @frame-timeout ?bytes → classify (same deadline) ?eof → FAIL    @ !error(timeout) → CLOSED
///     DELIVER @0             !frame → classify what is left
///     FAIL    @0             !error(too-large or truncated) → CLOSED
///     CLOSED  @∞             ?bytes, ?eof ignored
///     classify: [frame ready] DELIVER · [too large] FAIL · [header incomplete] HEADER · [body incomplete] BODY
///               · [nothing buffered] IDLE
///
/// The deadline runs per frame, from its first byte: HEADER and BODY keep it across reads, so a peer dribbling a
/// byte a second still times out.
public func receiverModel(frameTimeout: Duration) throws -> ReceiverModel {
    /// `?bytes` from `phase`, to each of the outcomes possible there.
    func classify(from phase: String, to outcomes: [String]) -> [ReceiverTransition] {
        let keep = phase != "IDLE"
        return outcomes.map { outcome in
            switch outcome {
            case "DELIVER":
                .external(
                    from: phase,
                    on: "bytes",
                    when: Condition("frame ready") { s, _ in s.frameReady },
                    to: "DELIVER",
                    action: { s, _ in s.takeFrame() }
                )
            case "FAIL":
                .external(from: phase, on: "bytes", when: Condition("too large") { s, _ in s.tooLarge }, to: "FAIL")
            case "HEADER":
                .external(
                    from: phase,
                    on: "bytes",
                    when: Condition("header incomplete") { s, _ in s.headerIncomplete },
                    to: "HEADER",
                    keepingDeadline: keep
                )
            case "BODY":
                .external(
                    from: phase,
                    on: "bytes",
                    when: Condition("body incomplete") { s, _ in s.bodyIncomplete },
                    to: "BODY",
                    keepingDeadline: keep
                )
            default:
                .external(
                    from: phase,
                    on: "bytes",
                    when: Condition("nothing buffered") { s, _ in s.nothingBuffered },
                    to: outcome
                )
            }
        }
    }

    /// DELIVER's `!frame`, then where what is left sends the model.
    func deliver(
        _ condition: Condition<ReceiverState, Void>,
        to phase: String,
        action: (@Sendable (inout ReceiverState) -> Void)? = nil
    )
        -> ReceiverTransition
    {
        .internal(
            from: "DELIVER",
            when: condition,
            output: "frame",
            emit: { .frame($0.current) },
            to: phase,
            action: action
        )
    }

    /// A frame begun and not finished in time.
    func timedOut(from phase: String) -> ReceiverTransition {
        .internal(from: phase, output: "error", emit: { _ in .error(.timeout) }, to: "CLOSED")
    }

    /// The stream ends inside a frame.
    func truncated(from phase: String) -> ReceiverTransition {
        .external(from: phase, on: "eof", to: "FAIL", action: { s, _ in s.failure = .truncated })
    }

    return try ReceiverModel(
        "Receiver",
        initial: "IDLE",
        phases: [
            Phase("IDLE", .infinity),
            Phase("HEADER", .after(frameTimeout)),
            Phase("BODY", .after(frameTimeout)),
            Phase("DELIVER", .zero),
            Phase("FAIL", .zero),
            Phase("CLOSED", .infinity),
        ],
        inputs: [InputPort("bytes") { s, input in s.absorb(input) }, "eof"],
        outputs: ["frame", "error"],
        transitions: classify(from: "IDLE", to: ["DELIVER", "FAIL", "HEADER", "BODY", "IDLE"])
            + [.external(from: "IDLE", on: "eof", to: "CLOSED")]
            + classify(from: "HEADER", to: ["DELIVER", "FAIL", "HEADER", "BODY"])
            + [truncated(from: "HEADER"), timedOut(from: "HEADER")]
            + classify(from: "BODY", to: ["DELIVER", "BODY"])
            + [
                truncated(from: "BODY"), timedOut(from: "BODY"),
                deliver(Condition("frame ready") { $0.frameReady }, to: "DELIVER", action: { $0.takeFrame() }),
                deliver(Condition("too large") { $0.tooLarge }, to: "FAIL"),
                deliver(Condition("header incomplete") { $0.headerIncomplete }, to: "HEADER"),
                deliver(Condition("body incomplete") { $0.bodyIncomplete }, to: "BODY"),
                deliver(Condition("nothing buffered") { $0.nothingBuffered }, to: "IDLE"),
                .internal(from: "FAIL", output: "error", emit: { .error($0.failure ?? .truncated) }, to: "CLOSED"),
                .external(from: "CLOSED", on: "bytes", to: "CLOSED"),
                .external(from: "CLOSED", on: "eof", to: "CLOSED"),
            ]
    )
}
