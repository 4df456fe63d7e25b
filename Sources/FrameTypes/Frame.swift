/// One lab 5 frame: what travels on the stream between a client and the router.
///
/// On the wire: a 6-byte header in network byte order (type: UInt16, body length: UInt32), then
/// exactly that many body bytes. The body is kept as bytes, not text, because PING carries
/// anything and a router must relay what it was given.
///
/// This module holds the protocol's types only. Turning frames into bytes and back is the codec:
/// the students write their own in lab 5, and the kit's (FrameKit) is for labrepl and the checker.
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

/// What can go wrong while cutting a byte stream into frames.
public enum FrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A header announced a body longer than the limit. The stream cannot be trusted after this
    /// (the router answers `too-large` and closes), so a decoder stops here for good.
    ///
    /// `length` is the announced length (up to 0xFFFFFFFF; `Int.max` on a 32-bit platform that
    /// cannot hold it).
    case tooLarge(length: Int, limit: Int)

    public var description: String {
        switch self {
        case .tooLarge(let length, let limit):
            "frame body of \(length) bytes is over the limit of \(limit)"
        }
    }
}
