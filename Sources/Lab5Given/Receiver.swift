import DEVSKit
import Foundation
import FrameTypes

// The receiving side of one router connection, as a DEVS atomic model: its inputs, outputs and variables are given
// here; the model itself — `receiverModel(frameTimeout:)`, whose diagram the handout shows — is yours (step 4).

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

/// What the receiver model needs from a frame reader: yours, `FrameReader` (Codec.swift, step 2).
public protocol FrameReading: Sendable {
    /// Adds bytes just received.
    mutating func feed(_ bytes: [UInt8])
    /// The next whole frame, nil while the bytes buffered do not complete one, or `FrameError.tooLarge`.
    mutating func next() throws -> Frame?
    /// Bytes received and not yet returned as frames.
    var bufferedCount: Int { get }
    /// The body length the next frame's header announces, once its 6 bytes are in.
    var announcedLength: Int? { get }
}

/// The receiver's variables: the reader holding a partial frame, the whole frames not yet delivered, the one being
/// delivered, and why it failed. The model's conditions and actions use what is public here.
public struct ReceiverState: Sendable {
    private var reader: any FrameReading
    /// Frames decoded and not yet delivered, from `readyStart` on (an index, so that taking one is O(1) even when a
    /// read brings thousands).
    private var ready: [Frame] = []
    private var readyStart = 0
    /// The frame DELIVER is emitting: set by `takeFrame()`.
    public private(set) var current = Frame(FrameType(0))
    /// Why the receiver gave up; `absorb` sets `.tooLarge`, the model's `?eof` in a frame sets `.truncated`.
    public var failure: ReceiverFailure?

    /// A receiver reading with `reader`: `ReceiverState(reader: FrameReader(bodyLimit: 65_536))`.
    public init(reader: some FrameReading) {
        self.reader = reader
    }

    /// The body length announced by the frame under way, once its header is in: what a `too-large` error quotes.
    public var announcedLength: Int? { reader.announcedLength }

    /// The `?bytes` port's first step, before any condition is looked at: the bytes go through the reader, and every
    /// whole frame they complete is kept for DELIVER. (`InputPort("bytes") { s, input in s.absorb(input) }`.)
    public mutating func absorb(_ input: ReceiverInput) {
        guard case .bytes(let bytes) = input, failure == nil else { return }
        reader.feed(bytes)
        do {
            while let frame = try reader.next() { ready.append(frame) }
        } catch is FrameError {
            failure = .tooLarge
        } catch {
            // Not a FrameError: the reader is not written yet (step 2). Say so where `make check` looks.
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            failure = .tooLarge
        }
    }

    /// Entering DELIVER: the next ready frame becomes `current`, the frame `!frame` emits.
    public mutating func takeFrame() {
        current = ready[readyStart]
        readyStart += 1
        if readyStart == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyStart = 0
        }
    }

    // The conditions of the diagram: exactly one of these holds at any time.

    /// `[frame ready]`: at least one whole frame waits to be delivered.
    public var frameReady: Bool { readyStart < ready.count }
    /// `[too large]`: no frame waits, and the reader met a header over the limit.
    public var tooLarge: Bool { !frameReady && failure != nil }
    /// `[nothing buffered]`: no frame waits, and no byte of the next one has come.
    public var nothingBuffered: Bool { !frameReady && failure == nil && reader.bufferedCount == 0 }
    /// `[header incomplete]`: some bytes of the next frame, fewer than its 6 header bytes.
    public var headerIncomplete: Bool {
        !frameReady && failure == nil && reader.bufferedCount > 0 && reader.announcedLength == nil
    }
    /// `[body incomplete]`: the next frame's header is in, not all of its body.
    public var bodyIncomplete: Bool { !frameReady && failure == nil && reader.announcedLength != nil }
}

public typealias ReceiverModel = AtomicModel<ReceiverState, ReceiverInput, ReceiverOutput>
public typealias Receiver = AtomicSimulator<ReceiverState, ReceiverInput, ReceiverOutput>
public typealias ReceiverTransition = Transition<ReceiverState, ReceiverInput, ReceiverOutput>
