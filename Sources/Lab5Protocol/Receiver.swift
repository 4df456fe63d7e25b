import DEVSKit
import FrameKit
import Foundation
import LabSupport

// The receiving side of one router connection, as a DEVS atomic model: the diagram in the handout is drawn from
// `receiverModel(frameTimeout:)`, and the router runs that same declaration, one simulator per connection.

/// What the socket gives the receiver: bytes from one `recv`, or the end of the stream.
public enum ReceiverInput: DEVSEvent, Equatable {
    case bytes([UInt8])
    case eof

    public var port: String {
        switch self {
        case .bytes: "bytes"
        case .eof: "eof"
        }
    }

    public var traceLabel: String {
        switch self {
        case .bytes(let bytes): "bytes(\(bytes.count))"
        case .eof: "eof"
        }
    }
}

/// Why a receiver gave up on its stream.
public enum ReceiverFailure: String, Sendable {
    /// A header announced a body over the limit: the rest of the stream cannot be trusted.
    case tooLarge = "too-large"
    /// A frame began and was not complete within the frame timeout.
    case timeout
    /// The stream ended in the middle of a frame.
    case truncated
}

/// What the receiver hands the router: a whole frame, or why it stopped.
public enum ReceiverOutput: DEVSEvent, Equatable {
    case frame(Frame)
    case error(ReceiverFailure)

    public var port: String {
        switch self {
        case .frame: "frame"
        case .error: "error"
        }
    }

    public var traceLabel: String {
        switch self {
        case .frame(let frame): "frame(\(frame.description(limit: 40)))"
        case .error(let failure): "error(\(failure.rawValue))"
        }
    }
}

/// The receiver's variables: the reader holding a partial frame, the whole frames not yet delivered, the one being
/// delivered, and why it failed.
public struct ReceiverState: Sendable {
    var reader: FrameReader
    /// Frames decoded and not yet delivered, from `readyStart` on (an index, so that taking one is O(1) even when a
    /// read brings thousands).
    private var ready: [Frame] = []
    private var readyStart = 0
    /// The frame DELIVER is emitting.
    private(set) var current = Frame(FrameType(0))
    public internal(set) var failure: ReceiverFailure?

    public init(bodyLimit: Int = Frame.defaultBodyLimit) {
        reader = FrameReader(bodyLimit: bodyLimit)
    }

    /// The body length announced by the frame under way, once its header is in: what a `too-large` error quotes.
    public var announcedLength: Int? { reader.announcedLength }

    /// Every `?bytes` first goes through the reader; the conditions then say where the buffered bytes send the model.
    mutating func absorb(_ input: ReceiverInput) {
        guard case .bytes(let bytes) = input, failure == nil else { return }
        reader.feed(bytes)
        do {
            while let frame = try reader.next() { ready.append(frame) }
        } catch is FrameError {
            failure = .tooLarge
        } catch {
            // The reader is not written yet (step 2): say so where `make check` looks.
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            failure = .tooLarge
        }
    }

    mutating func takeFrame() {
        current = ready[readyStart]
        readyStart += 1
        if readyStart == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyStart = 0
        }
    }

    // The classification: exactly one of these holds at any time.
    var frameReady: Bool { readyStart < ready.count }
    var tooLarge: Bool { !frameReady && failure != nil }
    var nothingBuffered: Bool { !frameReady && failure == nil && reader.bufferedCount == 0 }
    var headerIncomplete: Bool { !frameReady && failure == nil && reader.bufferedCount > 0 && reader.announcedLength == nil }
    var bodyIncomplete: Bool { !frameReady && failure == nil && reader.announcedLength != nil }
}

public typealias ReceiverModel = AtomicModel<ReceiverState, ReceiverInput, ReceiverOutput>
public typealias Receiver = AtomicSimulator<ReceiverState, ReceiverInput, ReceiverOutput>
typealias ReceiverTransition = Transition<ReceiverState, ReceiverInput, ReceiverOutput>

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
    // TODO step 3: declare the model of the handout's diagram: `try ReceiverModel("Receiver", initial: "IDLE",
    //   phases: [...], inputs: [InputPort("bytes") { s, input in s.absorb(input) }, "eof"], outputs: ["frame", "error"],
    //   transitions: [...])`. For now without deadlines: IDLE, HEADER, BODY and CLOSED @∞ (.infinity), DELIVER and
    //   FAIL @0 (.zero). Every ?bytes is classified with the state's conditions (frameReady, tooLarge,
    //   headerIncomplete, bodyIncomplete, nothingBuffered); entering DELIVER takes a frame (`action: { s, _ in
    //   s.takeFrame() }`), and DELIVER emits it (`.internal(from: "DELIVER", when: ..., output: "frame",
    //   emit: { .frame($0.current) }, to: ...)`).
    // TODO step 6: HEADER and BODY @frameTimeout (.after(frameTimeout)), each with an internal transition
    //   !error(timeout) → CLOSED; and `keepingDeadline: true` on the ?bytes that go from HEADER or BODY to HEADER or
    //   BODY, so that the deadline runs from the frame's first byte, not from its latest read.
    throw NotImplemented("step 3 — the receiver model: declare its phases and transitions (the diagram in the handout)")
}
