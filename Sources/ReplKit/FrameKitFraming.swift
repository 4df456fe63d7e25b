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
            throw ReplError("frame \(type): no such frame type — use one of \(Self.typeNames.joined(separator: " ")), or a number such as 0x0042")
        }
        return Frame(frameType, body: body).encoded()
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
