// The framing layer: how the bytes of a connection are cut into messages on the screen (`set mode raw|lines|frames`)
// and how `frame TYPE BODY` becomes bytes. The REPL knows framings only through the two protocols below; a new
// protocol (a lab's own framing) is one more type conforming to them, listed in `Framings.standard`.

/// A way of cutting a byte stream into messages, chosen with `set mode NAME`.
public protocol Framing: Sendable {
    /// The word `set mode` takes.
    var name: String { get }
    /// One line for `help set`.
    var summary: String { get }
    /// A new decoder, for one direction of one connection.
    func makeDecoder() -> any MessageDecoder
    /// The bytes that `frame TYPE BODY` sends.
    func encodeFrame(type: String, body: [UInt8]) throws -> [UInt8]
    /// How `expect` and `recv` take what has arrived. Nil: as bytes of a stream, however they were cut (raw, lines:
    /// `expect TEXT` finds TEXT anywhere). Otherwise the whole messages that `unread` — the bytes no `expect` or
    /// `recv` has taken yet — begins with: they are taken whole, and `expect` matches them as they are shown.
    func wholeMessages(in unread: [UInt8]) -> [FramedMessage]?
    /// Whether `expect TEXT` (as typed, escapes and all) is satisfied by `message`. Asked only when
    /// `wholeMessages(in:)` gives messages.
    func message(_ message: FramedMessage, matches text: String) -> Bool
    /// A whole message as `frame` and `expect` name it: its type's name and its body (`save` writes
    /// `frame HELLO Kim` and `expect WELCOME Kim` from these). Nil: the framing has no such names.
    func expectParts(of message: FramedMessage) -> (type: String, body: [UInt8])?
}

extension Framing {
    public func encodeFrame(type: String, body: [UInt8]) throws -> [UInt8] {
        throw ReplError("frame needs set mode frames; in \(name) mode, use send or sendhex for the bytes")
    }

    public func wholeMessages(in unread: [UInt8]) -> [FramedMessage]? { nil }

    /// The message as shown contains TEXT.
    public func message(_ message: FramedMessage, matches text: String) -> Bool {
        (message.text ?? shortRepr(message.bytes)).contains(text)
    }

    public func expectParts(of message: FramedMessage) -> (type: String, body: [UInt8])? { nil }
}

/// Cuts one direction of a connection into messages. Fed every chunk as it is received (or sent), in order.
public protocol MessageDecoder {
    /// The messages that the bytes so far complete. Throwing shows the error and starts a new decoder.
    mutating func feed(_ bytes: [UInt8]) throws -> [FramedMessage]
    /// At end of stream: what is left over, if anything.
    mutating func finish() -> [FramedMessage]
}

/// One message of a connection: its bytes, and how it reads.
public struct FramedMessage: Sendable, Equatable {
    public let bytes: [UInt8]
    /// The message as text (a line, a frame's description); nil shows the bytes as Python's `repr` does.
    public let text: String?

    public init(_ bytes: [UInt8], text: String? = nil) {
        self.bytes = bytes
        self.text = text
    }
}

/// The framings `set mode` offers, in the order `help` lists them.
public enum Framings {
    public static let standard: [any Framing] = [RawFraming(), LineFraming(), FrameKitFraming()]
}

/// Every chunk as it came, shown as bytes: `b'hello\n'`. TCP's view of things.
public struct RawFraming: Framing {
    public let name = "raw"
    public let summary = "each chunk as it arrives, as bytes: b'hello\\n' (TCP keeps no message boundaries)"

    public init() {}

    public func makeDecoder() -> any MessageDecoder { Decoder() }

    struct Decoder: MessageDecoder {
        func feed(_ bytes: [UInt8]) -> [FramedMessage] { [FramedMessage(bytes)] }
        func finish() -> [FramedMessage] { [] }
    }
}

/// Whole lines, shown as text: `hello`. A line ends with \n (a \r before it is dropped too).
public struct LineFraming: Framing {
    public let name = "lines"
    public let summary = "whole lines, as text, however the bytes were split on the way"

    public init() {}

    public func makeDecoder() -> any MessageDecoder { Decoder() }

    struct Decoder: MessageDecoder {
        /// A line longer than this is shown in pieces rather than held back for ever.
        static let longestLine = 65_536
        var pending: [UInt8] = []

        mutating func feed(_ bytes: [UInt8]) -> [FramedMessage] {
            pending += bytes
            var lines: [FramedMessage] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[...newline])
                pending.removeFirst(newline + 1)
                var content = line.dropLast()
                if content.last == 0x0D { content = content.dropLast() }
                lines.append(FramedMessage(line, text: displayable(content)))
            }
            if pending.count > Self.longestLine {
                lines.append(FramedMessage(pending, text: displayable(pending) + "  (part of a long line)"))
                pending = []
            }
            return lines
        }

        mutating func finish() -> [FramedMessage] {
            defer { pending = [] }
            return pending.isEmpty
                ? [] : [FramedMessage(pending, text: displayable(pending) + "  (no newline at the end)")]
        }
    }
}
