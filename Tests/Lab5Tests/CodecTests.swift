import DEVSKit
import FrameKit
import Lab5Given
import Lab5ProtocolSolution
import TestSupport
import Testing

/// The reference codec — the instructor's model answer to steps 1, 2 and 4 — against FrameKit, the kit's own codec
/// that labrepl and the checker use: the same bytes out, the same frames back, under every split.
@Suite struct CodecTests {
    static let frames = [
        Frame(.hello, text: "Kim"), Frame(.list), Frame(.send, text: "Lee\nhi there"), Frame(.hello, text: "김영희"),
        Frame(.ping, body: [0x00, 0xFF, 0x0A]), Frame(.bye),
        Frame(FrameType(0xABCD), body: Array(repeating: 7, count: 300)),
    ]
    static let stream = frames.flatMap { $0.encoded() }

    /// Feeds `chunks`, taking every frame as soon as it is complete, as the router's receiver does.
    func read(_ chunks: [[UInt8]], bodyLimit: Int = Frame.defaultBodyLimit) throws -> (frames: [Frame], left: Int) {
        var reader = FrameReader(bodyLimit: bodyLimit)
        var frames: [Frame] = []
        for chunk in chunks {
            reader.feed(chunk)
            while let frame = try reader.next() { frames.append(frame) }
        }
        return (frames, reader.bufferedCount)
    }

    @Test func encodeWritesWhatFrameKitWrites() throws {
        #expect(try encode(Frame(.hello, text: "Kim")) == [0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x4B, 0x69, 0x6D])
        for frame in Self.frames + [Frame(FrameType(0xFFFF), body: Array(repeating: 1, count: 70_000))] {
            #expect(try encode(frame) == frame.encoded(), "\(frame.description(limit: 20))")
        }
    }

    @Test func everyPairOfSplitPointsReadsTheSameFrames() throws {
        for first in 0...Self.stream.count {
            for second in stride(from: first, through: Self.stream.count, by: 7) {
                let chunks = [
                    Array(Self.stream[..<first]), Array(Self.stream[first..<second]), Array(Self.stream[second...]),
                ]
                let (frames, left) = try read(chunks)
                #expect(frames == Self.frames, "splits at \(first) and \(second)")
                #expect(left == 0)
                if frames != Self.frames { return }
            }
        }
    }

    @Test func randomStreamsReadAsFrameKitDecodesThem() throws {
        for seed in 0..<200 {
            var random = SeededRandom(seed: 0xC0DEC + UInt64(seed))
            let frames = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                Frame(
                    FrameType(UInt16.random(in: 0...0x00FF, using: &random)),
                    body: (0..<Int.random(in: 0...300, using: &random)).map { _ in
                        UInt8.random(in: 0...255, using: &random)
                    }
                )
            }
            let bytes = frames.flatMap { $0.encoded() }
            var chunks: [[UInt8]] = []
            var start = 0
            while start < bytes.count {
                let end = min(
                    bytes.count,
                    start + Int.random(in: 0...[1, 6, 100, 5_000].randomElement(using: &random)!, using: &random)
                )
                chunks.append(Array(bytes[start..<end]))
                start = end
            }
            var decoder = FrameDecoder()
            var expected: [Frame] = []
            for chunk in chunks {
                decoder.feed(chunk)
                while let frame = try decoder.next() { expected.append(frame) }
            }
            let (got, left) = try read(chunks)
            #expect(got == expected && got == frames, "seed \(seed)")
            #expect(left == 0)
        }
    }

    @Test func bufferedCountAndAnnouncedLengthSayWhereTheNextFrameStands() throws {
        var reader = FrameReader()
        #expect(reader.bufferedCount == 0 && reader.announcedLength == nil)
        reader.feed([0x00, 0x05, 0x00, 0x00, 0x00])
        #expect(reader.bufferedCount == 5 && reader.announcedLength == nil)
        #expect(try reader.next() == nil)
        reader.feed([0x03, 0x61])
        #expect(reader.bufferedCount == 7 && reader.announcedLength == 3)
        #expect(try reader.next() == nil)
        reader.feed([0x62, 0x63, 0x00])
        #expect(try reader.next() == Frame(.ping, text: "abc"))
        #expect(reader.bufferedCount == 1 && reader.announcedLength == nil)
    }

    @Test func aHeaderOverTheLimitFailsAtOnceAndForGood() throws {
        var reader = FrameReader(bodyLimit: 100)
        reader.feed(Frame(.list).encoded() + [0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try reader.next() == Frame(.list))  // what came before is still delivered
        #expect(throws: FrameError.tooLarge(length: 0xFFFF_FFFF, limit: 100)) { try reader.next() }
        reader.feed(Frame(.bye).encoded())
        #expect(throws: FrameError.tooLarge(length: 0xFFFF_FFFF, limit: 100)) { try reader.next() }
        // Exactly the limit is fine.
        var exact = FrameReader(bodyLimit: 100)
        exact.feed(Frame(.ping, body: Array(repeating: 1, count: 100)).encoded())
        #expect(try exact.next()?.body.count == 100)
    }

    /// A megabyte of one-byte frames, fed a byte at a time: linear, not quadratic (a front removed per frame would
    /// copy the rest each time). Correctness only here; `make bench` has the figures.
    @Test func manySmallFramesFedInPieces() throws {
        let frames = (0..<20_000).map { Frame(.ping, body: [UInt8(truncatingIfNeeded: $0)]) }
        let bytes = frames.flatMap { $0.encoded() }
        var reader = FrameReader()
        var count = 0
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 4093)
            reader.feed(Array(bytes[start..<end]))
            while let frame = try reader.next() {
                #expect(frame == frames[count])
                count += 1
            }
            start = end
        }
        #expect(count == frames.count && reader.bufferedCount == 0)
    }
}

/// The router's `--simulate` arguments, as the handout writes them.
@Suite struct SimulateOptionTests {
    @Test func bytesInHexAndTheEndOfTheStreamAtExactTimes() throws {
        let options = try RouterOptions.parse([
            "--simulate", "1.2:00 05 00", "--simulate", "2:0a0B", "--simulate", "3:eof",
        ])
        #expect(
            try options.script() == [
                Timed(.milliseconds(1_200), .bytes([0, 5, 0])), Timed(.seconds(2), .bytes([10, 11])),
                Timed(.seconds(3), .eof),
            ]
        )
        #expect(options.simulationEnd == .seconds(3))
    }

    @Test(arguments: ["1:0", "1:zz", "x:00", "-1:00", "2:00 --simulate 1:00"])
    func badScriptsAreRefused(item: String) {
        #expect(throws: (any Error).self) {
            try RouterOptions.parse(["--simulate"] + item.split(separator: " ").map(String.init))
        }
    }
}
