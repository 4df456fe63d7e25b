import FrameKit

/// Lab 5's frames (FrameKit): a 2-byte type and a 4-byte length, then the body; shown as `HELLO "Kim"`.
public struct FrameKitFraming: Framing {
    public let name = "frames"
    public let summary = "lab 5's frames: type, length, body; shown as HELLO \"Kim\""

    public init() {}

    public func makeDecoder() -> any MessageDecoder { Decoder() }

    /// `frame HELLO Kim`, `frame hello Kim`, `frame 0x0005 ping`, `frame 5 ping`.
    public func encodeFrame(type: String, body: [UInt8]) throws -> [UInt8] {
        guard let frameType = Self.frameType(named: type) else {
            throw ReplError(
                "frame \(type): no such frame type — use one of \(Self.typeNames.joined(separator: " ")), or a number such as 0x0042"
            )
        }
        return Frame(frameType, body: body).encoded()
    }

    /// The frames `unread` begins with, as they were shown; a frame still arriving (or bytes that are not one) ends
    /// the list.
    public func wholeMessages(in unread: [UInt8]) -> [FramedMessage]? {
        var decoder = FrameDecoder()
        decoder.feed(unread)
        var frames: [FramedMessage] = []
        while let frame = try? decoder.next() {
            frames.append(FramedMessage(frame.encoded(), text: frame.description))
        }
        return frames
    }

    /// `expect TEXT` on a frame as shown (`WELCOME "Kim"`): TEXT is its type's name (`WELCOME`, `welcome`,
    /// `0x0081`), words of its body (`Kim`, `Lee\nhi`), both (`WELCOME Kim`), or any part of how it is shown
    /// (`WELCOME "Kim"`).
    public func message(_ message: FramedMessage, matches text: String) -> Bool {
        var decoder = FrameDecoder()
        decoder.feed(message.bytes)
        guard let frame = try? decoder.next() else { return (message.text ?? shortRepr(message.bytes)).contains(text) }
        if frame.description.contains(text) { return true }
        let body = (try? unescape(text)) ?? Array(text.utf8)
        if !body.isEmpty, frame.body.firstRange(of: body) != nil { return true }
        let words = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard let first = words.first, Self.frameType(named: first) == frame.type else { return false }
        guard words.count == 2 else { return true }
        let rest = (try? unescape(words[1])) ?? Array(words[1].utf8)
        return frame.body.firstRange(of: rest) != nil
    }

    /// `WELCOME` and the body's bytes, as `expect WELCOME Kim` and `frame HELLO Kim` name a frame.
    public func expectParts(of message: FramedMessage) -> (type: String, body: [UInt8])? {
        var decoder = FrameDecoder()
        decoder.feed(message.bytes)
        guard let frame = try? decoder.next() else { return nil }
        return (frame.type.name, frame.body)
    }

    static let typeNames = FrameType.known.map(\.name)

    static func frameType(named word: String) -> FrameType? {
        if let known = FrameType.known.first(where: { $0.name == word.uppercased() }) { return known }
        let number = word.lowercased().hasPrefix("0x") ? UInt16(word.dropFirst(2), radix: 16) : UInt16(word)
        return number.map(FrameType.init(rawValue:))
    }

    struct Decoder: MessageDecoder {
        var decoder = FrameDecoder()

        mutating func feed(_ bytes: [UInt8]) throws -> [FramedMessage] {
            decoder.feed(bytes)
            var frames: [FramedMessage] = []
            while let frame = try decoder.next() {
                frames.append(FramedMessage(frame.encoded(), text: frame.description))
            }
            return frames
        }

        mutating func finish() -> [FramedMessage] {
            let left = decoder.bufferedCount
            guard left > 0 else { return [] }
            return [FramedMessage([], text: "(the stream ended \(left) bytes into a frame)")]
        }
    }
}
