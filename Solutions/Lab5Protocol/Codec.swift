import FrameKit

// The lab 5 codec: a frame to bytes (step 1) and a byte stream back to frames (step 2). The reference hands both to
// FrameKit, the kit's codec that labrepl and the checker use too; the starter has you write them.

/// Step 1 — the frame's wire form: type (UInt16) and body length (UInt32), both big-endian, then the body.
public func encode(_ frame: Frame) throws -> [UInt8] {
    frame.encoded()
}

/// Step 2 — cuts a byte stream into frames, whatever sizes the reads come in: feed it what `recv` returned, then
/// take frames with `next()` until it returns nil.
public struct FrameReader: Sendable {
    private var decoder: FrameDecoder

    /// - Parameter bodyLimit: the longest body accepted; a header announcing more is `FrameError.tooLarge`.
    public init(bodyLimit: Int = Frame.defaultBodyLimit) {
        decoder = FrameDecoder(bodyLimit: bodyLimit)
    }

    public var bodyLimit: Int { decoder.bodyLimit }

    /// Adds bytes just received; any chunking works, an empty one included.
    public mutating func feed(_ bytes: [UInt8]) {
        decoder.feed(bytes)
    }

    /// The next whole frame, nil when the bytes buffered do not complete one yet, or `FrameError.tooLarge` as soon
    /// as a header announces a body over the limit (and again on every later call).
    public mutating func next() throws -> Frame? {
        try decoder.next()
    }

    /// Bytes received and not yet returned as frames.
    public var bufferedCount: Int { decoder.bufferedCount }

    /// The body length the next frame's header announces, once its 6 bytes are in.
    public var announcedLength: Int? { decoder.announcedLength }
}
