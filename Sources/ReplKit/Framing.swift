// The framing layer: how the bytes of a connection are cut into messages on the screen (`set mode raw|lines|frames`)
// and how `frame TYPE BODY` becomes bytes. The REPL knows framings only through these two protocols.
//
// Lab 5 plugs its frame codec in with one type and one line in `Framings.standard` (replacing `FramesComingInLab5`):
//
//     import FrameKit
//     struct FrameKitFraming: Framing {
//         let name = "frames"
//         let summary = "lab 5's frames: a type and a length-prefixed body, shown as HELLO \"Kim\""
//         func makeDecoder() -> any MessageDecoder { FrameKitDecoder() }
//         func encodeFrame(type: String, body: [UInt8]) throws -> [UInt8] {
//             guard let type = FrameType(name: type) ?? UInt16(type).map(FrameType.init) else { throw ReplError(...) }
//             return Frame(type: type, body: body).encoded()
//         }
//     }
//     struct FrameKitDecoder: MessageDecoder {
//         var decoder = FrameDecoder()
//         mutating func feed(_ bytes: [UInt8]) throws -> [Message] {
//             decoder.feed(bytes)
//             var frames: [Message] = []
//             while let frame = try decoder.next() { frames.append(Message(frame.encoded(), text: frame.description)) }
//             return frames
//         }
//         mutating func finish() -> [Message] { [] }   // or the bytes of a half frame, shown raw
//     }

/// A way of cutting a byte stream into messages, chosen with `set mode NAME`.
public protocol Framing: Sendable {
    /// The word `set mode` takes.
    var name: String { get }
    /// One line for `help set`.
    var summary: String { get }
    /// Why this mode cannot be chosen yet; nil when it can.
    var unavailable: String? { get }
    /// A new decoder, for one direction of one connection.
    func makeDecoder() -> any MessageDecoder
    /// The bytes that `frame TYPE BODY` sends.
    func encodeFrame(type: String, body: [UInt8]) throws -> [UInt8]
}

extension Framing {
    public var unavailable: String? { nil }

    public func encodeFrame(type: String, body: [UInt8]) throws -> [UInt8] {
        throw ReplError("frame needs set mode frames; in \(name) mode, use send or sendhex for the bytes")
    }
}

/// Cuts one direction of a connection into messages. Fed every chunk as it is received (or sent), in order.
public protocol MessageDecoder {
    /// The messages that the bytes so far complete. Throwing shows the error and starts a new decoder.
    mutating func feed(_ bytes: [UInt8]) throws -> [Message]
    /// At end of stream: what is left over, if anything.
    mutating func finish() -> [Message]
}

/// One message of a connection: its bytes, and how it reads.
public struct Message: Sendable, Equatable {
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
    public static let standard: [any Framing] = [RawFraming(), LineFraming(), FramesComingInLab5()]
}

/// Every chunk as it came, shown as bytes: `b'hello\n'`. TCP's view of things.
public struct RawFraming: Framing {
    public let name = "raw"
    public let summary = "each chunk as it arrives, as bytes: b'hello\\n' (TCP keeps no message boundaries)"

    public init() {}

    public func makeDecoder() -> any MessageDecoder { Decoder() }

    struct Decoder: MessageDecoder {
        func feed(_ bytes: [UInt8]) -> [Message] { [Message(bytes)] }
        func finish() -> [Message] { [] }
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

        mutating func feed(_ bytes: [UInt8]) -> [Message] {
            pending += bytes
            var lines: [Message] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[...newline])
                pending.removeFirst(newline + 1)
                var content = line.dropLast()
                if content.last == 0x0D { content = content.dropLast() }
                lines.append(Message(line, text: displayable(content)))
            }
            if pending.count > Self.longestLine {
                lines.append(Message(pending, text: displayable(pending) + "  (part of a long line)"))
                pending = []
            }
            return lines
        }

        mutating func finish() -> [Message] {
            defer { pending = [] }
            return pending.isEmpty ? [] : [Message(pending, text: displayable(pending) + "  (no newline at the end)")]
        }
    }
}

/// Lab 5's frames, listed so that the mode is known, but not yet chosen: the frame codec arrives with lab 5.
public struct FramesComingInLab5: Framing {
    public let name = "frames"
    public let summary = "lab 5's frames (type and body), once lab 5 is in the kit"
    public let unavailable: String? = "frames arrive with lab 5 (the frame codec); until then use set mode raw or lines"

    public init() {}

    public func makeDecoder() -> any MessageDecoder { RawFraming.Decoder() }
}
