/// The 16-bit type field at the start of every lab 5 frame.
///
/// A struct rather than an enum so that a frame of a type this library does not know can still be
/// decoded, printed and answered with `unknown-type`: the protocol says such a connection stays
/// usable, so an unknown type must not be a decoding error.
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt16) {
        self.rawValue = rawValue
    }

    // Client to server. The server's answers set the high bit of the request they answer (0x80).
    public static let hello = FrameType(0x0001)
    public static let send = FrameType(0x0002)
    public static let broadcast = FrameType(0x0003)
    public static let list = FrameType(0x0004)
    public static let ping = FrameType(0x0005)
    public static let bye = FrameType(0x0006)

    // Server to client.
    public static let welcome = FrameType(0x0081)
    public static let deliver = FrameType(0x0082)
    public static let users = FrameType(0x0084)
    public static let pong = FrameType(0x0085)
    public static let error = FrameType(0x00FF)

    /// Every type the protocol defines, in wire order, so tests and tools can cover all of them.
    public static let known: [FrameType] = [
        .hello, .send, .broadcast, .list, .ping, .bye,
        .welcome, .deliver, .users, .pong, .error,
    ]

    /// Whether the protocol defines this type; a server answers any other with `unknown-type`.
    public var isKnown: Bool {
        knownName != nil
    }

    /// The protocol's name for the type (`HELLO`), or its hex value (`0x0042`) when it has none,
    /// so that traces and the REPL can always print something a person can look up.
    public var name: String {
        if let knownName { return knownName }
        let hex = String(rawValue, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    public var description: String {
        name
    }

    private var knownName: String? {
        switch self {
        case .hello: "HELLO"
        case .send: "SEND"
        case .broadcast: "BROADCAST"
        case .list: "LIST"
        case .ping: "PING"
        case .bye: "BYE"
        case .welcome: "WELCOME"
        case .deliver: "DELIVER"
        case .users: "USERS"
        case .pong: "PONG"
        case .error: "ERROR"
        default: nil
        }
    }
}
