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
    // TODO step 4: `try ReceiverModel("Receiver", initial: "IDLE", phases: [...], inputs: [InputPort("bytes") { s, input
    //   in s.absorb(input) }, "eof"], outputs: ["frame", "error"], transitions: [...])`, with the phases and arrows
    //   of the handout's diagram — for now without deadlines: IDLE, HEADER, BODY and CLOSED @∞, DELIVER and FAIL @0.
    //   Each [condition] is a property of ReceiverState (frameReady, tooLarge, …); entering DELIVER takes the next
    //   frame (`takeFrame()`), and DELIVER's `!frame` emits it (`state.current`). The handout shows one arrow of each
    //   kind, written out.
    // TODO step 12: HEADER and BODY @frameTimeout, each with its `!error(timeout)` arrow to CLOSED; and
    //   `keepingDeadline: true` on the ?bytes arrows from HEADER or BODY to HEADER or BODY, so that the deadline
    //   runs from the frame's first byte, not from its latest read.
    throw NotImplemented("step 4 — the receiver model: declare its phases and transitions (the diagram in the handout)")
}
