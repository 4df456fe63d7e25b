import FrameTypes
import Lab5Given
import LabSupport

// The lab 5 codec: a frame to bytes (step 1) and a byte stream back to frames (step 2). Your router and your client
// both use what you write here; the types (`Frame`, `FrameType`, `FrameError`) come from FrameTypes.

/// Step 1 — the frame's wire form: type (UInt16) and body length (UInt32), both big-endian, then the body.
///
///     HELLO "Kim"  →  00 01 | 00 00 00 03 | 4B 69 6D
public func encode(_ frame: Frame) throws -> [UInt8] {
    // TODO step 1: the 2 bytes of frame.type.rawValue, most significant first (value >> 8, then the low byte);
    //   the 4 bytes of the body's length as a UInt32, most significant first; then frame.body.
    throw NotImplemented("step 1 — encode a frame: type, length, body")
}

/// Step 2 — cuts a byte stream into frames, whatever sizes the reads come in: feed it what `recv` returned, then
/// take frames with `next()` until it returns nil.
public struct FrameReader: FrameReading {
    /// The longest body accepted; a header announcing more is `FrameError.tooLarge`.
    public let bodyLimit: Int

    // Yours (step 2): the stored properties that keep the bytes received and not yet returned as frames.

    public init(bodyLimit: Int = Frame.defaultBodyLimit) {
        self.bodyLimit = max(0, bodyLimit)
    }

    /// Adds bytes just received; any chunking works, an empty one included.
    public mutating func feed(_ bytes: [UInt8]) {
        // TODO step 2: keep them, after the ones already buffered.
        notImplemented("step 2 — FrameReader.feed: keep the bytes received")
    }

    /// The next whole frame, nil when the bytes buffered do not complete one yet, or `FrameError.tooLarge` as soon
    /// as a header announces a body over the limit (and again on every later call).
    public mutating func next() throws -> Frame? {
        // TODO step 2: fewer than 6 bytes buffered: nil. Otherwise read the type and the length from the header. A
        //   length over bodyLimit: throw FrameError.tooLarge(length:limit:) at once — do not wait for a body that may
        //   be 4 GiB — and keep throwing it. Fewer than 6 + length bytes: nil. Else take the frame off the front.
        throw NotImplemented("step 2 — FrameReader.next: cut whole frames off the front of the buffer")
    }

    /// Bytes received and not yet returned as frames.
    public var bufferedCount: Int {
        // TODO step 2: how many bytes are buffered.
        notImplemented("step 2 — FrameReader.bufferedCount")
        return 0
    }

    /// The body length the next frame's header announces, once its 6 bytes are in (nil before).
    public var announcedLength: Int? {
        // TODO step 4: the receiver model needs it to tell HEADER from BODY — the 4 length bytes of the header at the
        //   front, once all 6 header bytes are in.
        notImplemented("step 4 — FrameReader.announcedLength: the length in the header, once it is in")
        return nil
    }
}
