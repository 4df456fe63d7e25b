/// Cuts a byte stream into frames, whatever sizes the reads come in.
///
/// TCP keeps the order of bytes but not the boundaries of writes: one `recv` may hold half a
/// header, or ten frames and the start of an eleventh. So the decoder is fed whatever arrived and
/// then asked for frames until it has none:
///
/// ```swift
/// decoder.feed(chunk)
/// while let frame = try decoder.next() { handle(frame) }
/// ```
///
/// The cost is linear in the bytes fed however they are chunked: bytes are appended to one buffer
/// and read through an index, and the consumed front is dropped only once it is at least half of
/// the buffer, so no byte is copied more than a constant number of times.
public struct FrameDecoder: Sendable {
    /// The longest body accepted; a header announcing more is `FrameError.tooLarge` as soon as its
    /// 6 bytes are in, before any of the body is waited for or stored.
    public let bodyLimit: Int

    /// The error that stopped the decoder, if any. Once set, `next()` throws it again and `feed`
    /// ignores its bytes.
    public private(set) var failure: FrameError?

    private var buffer: [UInt8] = []
    private var start = 0

    /// - Parameter bodyLimit: the longest body to accept, in bytes (negative counts as 0).
    public init(bodyLimit: Int = Frame.defaultBodyLimit) {
        self.bodyLimit = max(0, bodyLimit)
    }

    /// Adds bytes just read from the stream. Any chunking works, including empty chunks.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        if start > 0, start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when the bytes buffered do not complete one yet.
    ///
    /// Frames come out in stream order, so frames that arrived before an oversized header are
    /// returned before the error is thrown: a server can still answer what it owes.
    public mutating func next() throws(FrameError) -> Frame? {
        if let failure { throw failure }
        guard let (type, length) = header else { return nil }
        guard length <= UInt64(bodyLimit) else {
            let error = FrameError.tooLarge(length: Int(exactly: length) ?? .max, limit: bodyLimit)
            failure = error
            throw error
        }
        let bodyStart = start + Frame.headerSize
        let end = bodyStart + Int(length)
        guard end <= buffer.count else { return nil }
        let frame = Frame(type, body: Array(buffer[bodyStart..<end]))
        start = end
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return frame
    }

    /// Bytes received and not yet returned as frames.
    public var bufferedCount: Int {
        buffer.count - start
    }

    /// Whether the next frame has begun to arrive but is not complete: what a per-frame timeout
    /// watches. False when nothing is buffered or when a whole frame is waiting to be taken.
    public var hasPartialFrame: Bool {
        guard bufferedCount > 0 else { return false }
        guard let (_, length) = header else { return true }
        return UInt64(bufferedCount - Frame.headerSize) < length
    }

    /// The body length announced by the next frame's header, once all 6 header bytes are in.
    public var announcedLength: Int? {
        header.map { Int(exactly: $0.length) ?? .max }
    }

    /// The type announced by the next frame's header, once all 6 header bytes are in.
    public var announcedType: FrameType? {
        header?.type
    }

    private var header: (type: FrameType, length: UInt64)? {
        guard bufferedCount >= Frame.headerSize else { return nil }
        var type: UInt16 = 0
        for offset in 0..<2 { type = type << 8 | UInt16(buffer[start + offset]) }
        var length: UInt64 = 0
        for offset in 2..<6 { length = length << 8 | UInt64(buffer[start + offset]) }
        return (FrameType(type), length)
    }
}
