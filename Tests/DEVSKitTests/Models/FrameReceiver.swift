import DEVSKit
import FrameKit

// The receiving side of a lab 5 connection as an atomic model, after the sketch in
// shared/notes/devs.md. It lives here as the worked example; the lab's own copy will live in the
// lab's code.

enum ReceiverInput: DEVSEvent, Equatable {
    case bytes([UInt8])
    case eof

    var port: String {
        switch self {
        case .bytes: "bytes"
        case .eof: "eof"
        }
    }

    var traceLabel: String {
        switch self {
        case .bytes(let bytes): "bytes(\(bytes.count))"
        case .eof: "eof"
        }
    }
}

enum ReceiverFailure: String, Sendable {
    case tooLarge = "too-large"
    case timeout
    case truncated
}

enum ReceiverOutput: DEVSEvent, Equatable {
    case frame(Frame)
    case error(ReceiverFailure)

    var port: String {
        switch self {
        case .frame: "frame"
        case .error: "error"
        }
    }

    var traceLabel: String {
        switch self {
        case .frame(let frame): "frame(\(frame))"
        case .error(let failure): "error(\(failure.rawValue))"
        }
    }
}

/// The receiver's variables: the decoder holding a partial frame, the whole frames not yet
/// delivered, the one being delivered, and why it failed.
struct ReceiverState: Sendable {
    var decoder: FrameDecoder
    var ready: [Frame] = []
    var current = Frame(FrameType(0))
    var failure: ReceiverFailure?

    init(bodyLimit: Int = Frame.defaultBodyLimit) {
        decoder = FrameDecoder(bodyLimit: bodyLimit)
    }

    /// Every input on `?bytes` first goes into the decoder; the conditions then classify what is
    /// buffered.
    mutating func absorb(_ input: ReceiverInput) {
        guard case .bytes(let bytes) = input else { return }
        decoder.feed(bytes)
        do {
            while let frame = try decoder.next() { ready.append(frame) }
        } catch {
            failure = .tooLarge
        }
    }

    mutating func takeFrame() {
        if !ready.isEmpty { current = ready.removeFirst() }
    }

    // The classification, one condition per outcome; exactly one holds at any time.
    var frameReady: Bool { !ready.isEmpty }
    var tooLarge: Bool { ready.isEmpty && failure != nil }
    var headerIncomplete: Bool { ready.isEmpty && failure == nil && decoder.hasPartialFrame && decoder.announcedLength == nil }
    var bodyIncomplete: Bool { ready.isEmpty && failure == nil && decoder.hasPartialFrame && decoder.announcedLength != nil }
    var nothingBuffered: Bool { ready.isEmpty && failure == nil && decoder.bufferedCount == 0 }
}

typealias ReceiverModel = AtomicModel<ReceiverState, ReceiverInput, ReceiverOutput>
typealias ReceiverTransition = Transition<ReceiverState, ReceiverInput, ReceiverOutput>

/// - Parameter keepingDeadline: false builds the naive variant whose deadline restarts on every
///   read, to show why the real one keeps it.
func frameReceiver(timeout: Duration = .seconds(5), keepingDeadline: Bool = true) throws -> ReceiverModel {
    // ?bytes from IDLE, HEADER or BODY: where the buffered bytes send the model.
    func classify(from phase: String, outcomes: [String]) -> [ReceiverTransition] {
        let keep = keepingDeadline && phase != "IDLE"
        var transitions: [ReceiverTransition] = []
        if outcomes.contains("DELIVER") {
            transitions.append(
                .external(
                    from: phase, on: "bytes", when: Condition("frame ready") { s, _ in s.frameReady }, to: "DELIVER",
                    action: { s, _ in s.takeFrame() }))
        }
        if outcomes.contains("FAIL") {
            transitions.append(.external(from: phase, on: "bytes", when: Condition("too large") { s, _ in s.tooLarge }, to: "FAIL"))
        }
        if outcomes.contains("HEADER") {
            transitions.append(
                .external(
                    from: phase, on: "bytes", when: Condition("header incomplete") { s, _ in s.headerIncomplete },
                    to: "HEADER", keepingDeadline: keep))
        }
        if outcomes.contains("BODY") {
            transitions.append(
                .external(
                    from: phase, on: "bytes", when: Condition("body incomplete") { s, _ in s.bodyIncomplete },
                    to: "BODY", keepingDeadline: keep))
        }
        if outcomes.contains("IDLE") {
            transitions.append(
                .external(from: phase, on: "bytes", when: Condition("nothing buffered") { s, _ in s.nothingBuffered }, to: "IDLE"))
        }
        return transitions
    }

    return try ReceiverModel(
        "FrameReceiver",
        initial: "IDLE",
        phases: [
            Phase("IDLE", .infinity),
            Phase("HEADER", .after(timeout)),
            Phase("BODY", .after(timeout)),
            Phase("DELIVER", .zero),
            Phase("FAIL", .zero),
            Phase("CLOSED", .infinity),
        ],
        inputs: [InputPort("bytes") { s, input in s.absorb(input) }, "eof"],
        outputs: ["frame", "error"],
        transitions: classify(from: "IDLE", outcomes: ["DELIVER", "FAIL", "HEADER", "BODY", "IDLE"])
            + [.external(from: "IDLE", on: "eof", to: "CLOSED")]
            + classify(from: "HEADER", outcomes: ["DELIVER", "FAIL", "HEADER", "BODY"])
            + [
                .external(from: "HEADER", on: "eof", to: "FAIL", action: { s, _ in s.failure = .truncated }),
                .internal(from: "HEADER", output: "error", emit: { _ in .error(.timeout) }, to: "CLOSED"),
            ]
            + classify(from: "BODY", outcomes: ["DELIVER", "BODY"])
            + [
                .external(from: "BODY", on: "eof", to: "FAIL", action: { s, _ in s.failure = .truncated }),
                .internal(from: "BODY", output: "error", emit: { _ in .error(.timeout) }, to: "CLOSED"),
                .internal(
                    from: "DELIVER", when: Condition("frame ready") { $0.frameReady }, output: "frame",
                    emit: { .frame($0.current) }, to: "DELIVER", action: { $0.takeFrame() }),
                .internal(
                    from: "DELIVER", when: Condition("too large") { $0.tooLarge }, output: "frame",
                    emit: { .frame($0.current) }, to: "FAIL"),
                .internal(
                    from: "DELIVER", when: Condition("header incomplete") { $0.headerIncomplete }, output: "frame",
                    emit: { .frame($0.current) }, to: "HEADER"),
                .internal(
                    from: "DELIVER", when: Condition("body incomplete") { $0.bodyIncomplete }, output: "frame",
                    emit: { .frame($0.current) }, to: "BODY"),
                .internal(
                    from: "DELIVER", when: Condition("nothing buffered") { $0.nothingBuffered }, output: "frame",
                    emit: { .frame($0.current) }, to: "IDLE"),
                .internal(from: "FAIL", output: "error", emit: { .error($0.failure ?? .truncated) }, to: "CLOSED"),
                .external(from: "CLOSED", on: "bytes", to: "CLOSED"),
                .external(from: "CLOSED", on: "eof", to: "CLOSED"),
            ]
    )
}
