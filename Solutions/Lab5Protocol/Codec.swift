import FrameTypes
import Lab5Given
import LabSupport

// The lab 5 codec: a frame to bytes (step 1) and a byte stream back to frames (step 2). Your router and your client
// both use what you write here; the types (`Frame`, `FrameType`, `FrameError`) come from FrameTypes.

/// Step 1 — the frame's wire form: type (UInt16) and body length (UInt32), both big-endian, then the body.
///
///     HELLO "Kim"  →  00 01 | 00 00 00 03 | 4B 69 6D
public func encode(_ frame: Frame) throws -> [UInt8] {
    let type = frame.type.rawValue
    guard let length = UInt32(exactly: frame.body.count) else {
        throw FrameError.tooLarge(length: frame.body.count, limit: Int(UInt32.max))  // the length field has 32 bits
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Frame.headerSize + frame.body.count)
    // Most significant byte first: shift it down to the lowest 8 bits, then keep those.
    bytes.append(UInt8(type >> 8))
    bytes.append(UInt8(type & 0xFF))
    bytes.append(UInt8(length >> 24))
    bytes.append(UInt8(length >> 16 & 0xFF))
    bytes.append(UInt8(length >> 8 & 0xFF))
    bytes.append(UInt8(length & 0xFF))
    bytes.append(contentsOf: frame.body)
    return bytes
}

/// Step 2 — cuts a byte stream into frames, whatever sizes the reads come in: feed it what `recv` returned, then
/// take frames with `next()` until it returns nil.
public struct FrameReader: FrameReading {
    /// The longest body accepted; a header announcing more is `FrameError.tooLarge`.
    public let bodyLimit: Int

    /// The bytes received and not yet returned as frames are `buffer[start...]`. Taking a frame moves `start` on
    /// rather than removing bytes from the front, which would copy every byte behind them each time; the front
    /// already taken is dropped by `feed` once it is at least half the buffer. So each byte is copied a constant
    /// number of times, however the reads are cut.
    private var buffer: [UInt8] = []
    private var start = 0
    /// Set once a header has announced too much: the stream can no longer be trusted, so it stays failed.
    private var failure: FrameError?

    public init(bodyLimit: Int = Frame.defaultBodyLimit) {
        self.bodyLimit = max(0, bodyLimit)
    }

    /// Adds bytes just received; any chunking works, an empty one included.
    public mutating func feed(_ bytes: [UInt8]) {
        guard failure == nil else { return }  // nothing after a bad header will ever be read
        if start > 0, start * 2 >= buffer.count {
            buffer.removeSubrange(..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame, nil when the bytes buffered do not complete one yet, or `FrameError.tooLarge` as soon
    /// as a header announces a body over the limit (and again on every later call).
    public mutating func next() throws -> Frame? {
        if let failure { throw failure }
        guard let (type, length) = header else { return nil }  // not even a whole header yet
        guard length <= bodyLimit else {
            // Said at once, from the header alone: the body may be 4 GiB that will never be stored.
            let error = FrameError.tooLarge(length: length, limit: bodyLimit)
            failure = error
            throw error
        }
        let bodyStart = start + Frame.headerSize
        guard buffer.count - bodyStart >= length else { return nil }  // the body is still arriving
        let frame = Frame(type, body: Array(buffer[bodyStart..<bodyStart + length]))
        start = bodyStart + length
        if start == buffer.count {  // all taken: start again at the front, keeping the memory
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return frame
    }

    /// Bytes received and not yet returned as frames.
    public var bufferedCount: Int {
        buffer.count - start
    }

    /// The body length the next frame's header announces, once its 6 bytes are in (nil before).
    public var announcedLength: Int? {
        header?.length
    }

    /// The type and body length of the frame at the front, once its 6 header bytes are in.
    private var header: (type: FrameType, length: Int)? {
        guard bufferedCount >= Frame.headerSize else { return nil }
        // Most significant byte first: each byte shifts the ones before it up by 8 bits.
        let type = UInt16(buffer[start]) << 8 | UInt16(buffer[start + 1])
        let length = buffer[start + 2..<start + 6].reduce(0) { $0 << 8 | Int($1) }
        return (FrameType(type), length)
    }
}
