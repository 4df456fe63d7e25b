/// The `CODE` of an ERROR frame, with the exact strings that go on the wire.
public enum ErrorCode: String, CaseIterable, Hashable, Sendable {
    case badName = "bad-name"
    case nameTaken = "name-taken"
    case notLoggedIn = "not-logged-in"
    case noSuchUser = "no-such-user"
    case unknownType = "unknown-type"
    case tooLarge = "too-large"
    case timeout = "timeout"
}

/// The lab 5 protocol's messages: what a frame means, once its body has been read.
///
/// The router and the clients work with messages; only the codec sees frames. Conversions go both
/// ways: `Message(frame)` to read one (throwing what the server should answer when the frame is
/// malformed), `message.frame` to send one.
public enum Message: Hashable, Sendable, CustomStringConvertible {
    /// HELLO: log in under a name (1–32 bytes of UTF-8, no newline).
    case hello(String)
    /// WELCOME: the server accepted the name.
    case welcome(String)
    /// SEND: a message for one named client; body `TO\nTEXT`.
    case send(to: String, text: String)
    /// DELIVER: a message from another client; body `FROM\nTEXT`.
    case deliver(from: String, text: String)
    /// BROADCAST: a message for every other named client; body `TEXT`.
    case broadcast(String)
    /// LIST: ask for the names logged in.
    case list
    /// USERS: the names logged in, one per line (the server sorts them).
    case users([String])
    /// PING: anything, to be echoed.
    case ping([UInt8])
    /// PONG: the PING's body, unchanged.
    case pong([UInt8])
    /// BYE: the client is leaving; the server closes after sending what it owes.
    case bye
    /// ERROR: body `CODE\nMESSAGE`.
    case error(code: ErrorCode, message: String)
    /// A frame of a type the protocol does not define, kept whole so it can be shown and
    /// answered with `unknown-type`.
    case unknown(Frame)

    /// The most bytes a name may have in UTF-8.
    public static let maxNameBytes = 32

    /// Reads a frame.
    ///
    /// Names in HELLO are checked strictly, because the server must refuse a bad one. Text is read
    /// leniently (bytes that are not UTF-8 become U+FFFD) since the protocol has no error code for
    /// it; a body on LIST or BYE is ignored.
    public init(_ frame: Frame) throws(MessageError) {
        let body = frame.body
        switch frame.type {
        case .hello:
            try Message.validateName(bytes: body)
            self = .hello(frame.text)
        case .welcome:
            self = .welcome(frame.text)
        case .send:
            let (to, text) = try Message.split(body, of: .send)
            self = .send(to: to, text: text)
        case .deliver:
            let (from, text) = try Message.split(body, of: .deliver)
            self = .deliver(from: from, text: text)
        case .broadcast:
            self = .broadcast(frame.text)
        case .list:
            self = .list
        case .users:
            // Split the bytes, not the String: "\r\n" is one Character and would hide a newline.
            self = .users(
                body.isEmpty
                    ? []
                    : body.split(separator: 0x0A, omittingEmptySubsequences: false).map {
                        String(decoding: $0, as: UTF8.self)
                    }
            )
        case .ping:
            self = .ping(body)
        case .pong:
            self = .pong(body)
        case .bye:
            self = .bye
        case .error:
            let (code, message) = try Message.split(body, of: .error)
            guard let known = ErrorCode(rawValue: code) else { throw .unknownErrorCode(code) }
            self = .error(code: known, message: message)
        default:
            self = .unknown(frame)
        }
    }

    /// The frame that carries this message. USERS names go out in the order given.
    public var frame: Frame {
        switch self {
        case .hello(let name): Frame(.hello, text: name)
        case .welcome(let name): Frame(.welcome, text: name)
        case .send(let to, let text): Frame(.send, text: to + "\n" + text)
        case .deliver(let from, let text): Frame(.deliver, text: from + "\n" + text)
        case .broadcast(let text): Frame(.broadcast, text: text)
        case .list: Frame(.list)
        case .users(let names): Frame(.users, text: names.joined(separator: "\n"))
        case .ping(let body): Frame(.ping, body: body)
        case .pong(let body): Frame(.pong, body: body)
        case .bye: Frame(.bye)
        case .error(let code, let message): Frame(.error, text: code.rawValue + "\n" + message)
        case .unknown(let frame): frame
        }
    }

    /// The message as its frame prints: `HELLO "Kim"`.
    public var description: String {
        frame.description
    }

    /// Checks a name the way the server checks HELLO, so a client can refuse a bad `--name`
    /// before connecting.
    public static func validateName(_ name: String) throws(MessageError) {
        try validateName(bytes: Array(name.utf8))
    }

    private static func validateName(bytes: [UInt8]) throws(MessageError) {
        if bytes.isEmpty { throw .badName(.empty) }
        if bytes.count > maxNameBytes { throw .badName(.tooLong(byteCount: bytes.count)) }
        if bytes.contains(0x0A) { throw .badName(.containsNewline) }
        if !UTF8Text.isValid(bytes) { throw .badName(.invalidUTF8) }
    }

    /// Splits `A\nB` at its first newline; B may hold more newlines.
    private static func split(_ body: [UInt8], of type: FrameType) throws(MessageError) -> (String, String) {
        guard let newline = body.firstIndex(of: 0x0A) else { throw .missingNewline(type) }
        return (
            String(decoding: body[..<newline], as: UTF8.self),
            String(decoding: body[(newline + 1)...], as: UTF8.self)
        )
    }
}

/// Why a frame is not a well-formed message, and what the server answers.
public enum MessageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with a name.
    public enum NameProblem: Hashable, Sendable {
        case empty
        case tooLong(byteCount: Int)
        case containsNewline
        case invalidUTF8
    }

    /// HELLO's name is not 1–32 bytes of UTF-8 without a newline.
    case badName(NameProblem)
    /// SEND, DELIVER or ERROR without the newline that separates its two parts.
    case missingNewline(FrameType)
    /// ERROR with a CODE the protocol does not define.
    case unknownErrorCode(String)

    /// The ERROR code a server sends back for this frame.
    ///
    /// A SEND without a newline names no recipient, hence `no-such-user`. DELIVER and ERROR only
    /// ever go from server to client, so a client sending one is sending something it has no
    /// business sending: `unknown-type`.
    public var code: ErrorCode {
        switch self {
        case .badName: .badName
        case .missingNewline(let type): type == .send ? .noSuchUser : .unknownType
        case .unknownErrorCode: .unknownType
        }
    }

    public var description: String {
        switch self {
        case .badName(.empty): "name is empty"
        case .badName(.tooLong(let count)): "name is \(count) bytes long, over \(Message.maxNameBytes)"
        case .badName(.containsNewline): "name contains a newline"
        case .badName(.invalidUTF8): "name is not UTF-8"
        case .missingNewline(let type): "\(type.name) body needs a newline between its two parts"
        case .unknownErrorCode(let code): "unknown error code \"\(code)\""
        }
    }
}
