/// One lab 5 frame: what travels on the stream between a client and the router.
///
/// On the wire: a 6-byte header in network byte order (type: UInt16, body length: UInt32), then
/// exactly that many body bytes. The body is kept as bytes, not text, because PING carries
/// anything and a router must relay what it was given.
public struct Frame: Hashable, Sendable, CustomStringConvertible {
    /// Bytes before the body: 2 for the type, 4 for the length.
    public static let headerSize = 6

    /// The body limit a decoder uses unless told otherwise (the router's `--max-body` default).
    public static let defaultBodyLimit = 65_536

    public var type: FrameType
    public var body: [UInt8]

    public init(_ type: FrameType, body: [UInt8] = []) {
        self.type = type
        self.body = body
    }

    /// A frame whose body is `text` in UTF-8, which is what every type but PING and PONG carries.
    public init(_ type: FrameType, text: String) {
        self.init(type, body: Array(text.utf8))
    }

    /// The body read as UTF-8; bytes that are not UTF-8 show as U+FFFD, so use `body` when the
    /// exact bytes matter.
    public var text: String {
        String(decoding: body, as: UTF8.self)
    }

    /// Appends the frame's wire form to `buffer`, so that a sender can queue many frames in one
    /// output buffer without an intermediate array each.
    ///
    /// The body must fit the 32-bit length field (4 GiB); no frame a decoder produced or a person
    /// typed comes near that.
    public func encode(into buffer: inout [UInt8]) {
        let type = type.rawValue
        let length = UInt32(body.count)
        buffer.append(UInt8(truncatingIfNeeded: type >> 8))
        buffer.append(UInt8(truncatingIfNeeded: type))
        buffer.append(UInt8(truncatingIfNeeded: length >> 24))
        buffer.append(UInt8(truncatingIfNeeded: length >> 16))
        buffer.append(UInt8(truncatingIfNeeded: length >> 8))
        buffer.append(UInt8(truncatingIfNeeded: length))
        buffer.append(contentsOf: body)
    }

    /// The frame's wire form: header then body.
    public func encoded() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Frame.headerSize + body.count)
        encode(into: &buffer)
        return buffer
    }

    /// The frame as a person reads it in the REPL or a trace: `HELLO "Kim"`, `DELIVER "Hong\nhi"`,
    /// `LIST`. Control characters and bytes that are not UTF-8 are escaped (`\x00`), so what is
    /// shown is exactly what was sent. Bodies longer than 200 bytes are cut; see
    /// `description(limit:)`.
    public var description: String {
        description(limit: 200)
    }

    /// Like `description`, showing at most about `limit` bytes of the body (whole characters only)
    /// and how many more there were.
    public func description(limit: Int) -> String {
        body.isEmpty ? type.name : type.name + " " + UTF8Text.quoted(body, limit: limit)
    }
}
