import FrameKit
import TestSupport
import Testing

/// Feeds `chunks` in order, taking every frame as soon as it is complete, as a server loop does.
private func decode(_ chunks: [[UInt8]], bodyLimit: Int = Frame.defaultBodyLimit) throws -> (frames: [Frame], left: Int)
{
    var decoder = FrameDecoder(bodyLimit: bodyLimit)
    var frames: [Frame] = []
    for chunk in chunks {
        decoder.feed(chunk)
        while let frame = try decoder.next() {
            frames.append(frame)
        }
    }
    return (frames, decoder.bufferedCount)
}

@Suite struct FrameDecoderTests {
    /// Empty bodies, a body with a newline, binary, an unknown type: 9 + 6 + 18 + 9 + 6 + 7 bytes.
    static let frames = [
        Frame(.hello, text: "Kim"), Frame(.list), Frame(.send, text: "Lee\nhi there"),
        Frame(.ping, body: [0x00, 0xFF, 0x0A]), Frame(.bye), Frame(FrameType(0x0042), body: [0x01]),
    ]
    static let stream = frames.flatMap { $0.encoded() }

    @Test func everySplitPointDecodesTheSameFrames() throws {
        #expect(Self.stream.count == 55)
        for cut in 0...Self.stream.count {
            let chunks = [Array(Self.stream[..<cut]), Array(Self.stream[cut...])]
            let (frames, left) = try decode(chunks)
            #expect(frames == Self.frames, "split at \(cut)")
            #expect(left == 0)
        }
    }

    @Test func everyPairOfSplitPointsDecodesTheSameFrames() throws {
        var combinations = 0
        for first in 0...Self.stream.count {
            for second in first...Self.stream.count {
                let chunks = [
                    Array(Self.stream[..<first]), Array(Self.stream[first..<second]), Array(Self.stream[second...]),
                ]
                let (frames, left) = try decode(chunks)
                #expect(frames == Self.frames, "splits at \(first) and \(second)")
                #expect(left == 0)
                combinations += 1
            }
        }
        #expect(combinations == 56 * 57 / 2)
    }

    @Test func oneByteAtATime() throws {
        let (frames, left) = try decode(Self.stream.map { [$0] })
        #expect(frames == Self.frames)
        #expect(left == 0)
    }

    @Test func manyFramesInOneChunkIncludingEmptyBodies() throws {
        let many = (0..<500).map { index in
            index % 3 == 0 ? Frame(.list) : Frame(.broadcast, text: "message \(index)")
        }
        var decoder = FrameDecoder()
        decoder.feed(many.flatMap { $0.encoded() })
        for frame in many {
            #expect(try decoder.next() == frame)
        }
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedCount == 0)
    }

    @Test func emptyChunksChangeNothing() throws {
        let (frames, _) = try decode([[], Array(Self.stream.prefix(4)), [], Array(Self.stream.dropFirst(4)), []])
        #expect(frames == Self.frames)
    }

    @Test func randomStreamsSplitAtRandomPointsDecodeToTheSameFrames() throws {
        let types = FrameType.known + [FrameType(0x0000), FrameType(0x0042), FrameType(0xFFFF)]
        for run in 0..<1000 {
            let seed = 0x5EED_0000 + UInt64(run)
            var random = SeededRandom(seed: seed)
            let frames = (0..<Int.random(in: 0...20, using: &random)).map { _ in
                // A third of the bodies empty, most short, a few long enough to span many chunks.
                let size =
                    Int.random(in: 0..<3, using: &random) == 0
                    ? 0 : Int.random(in: 1...(Int.random(in: 0..<10, using: &random) == 0 ? 3000 : 40), using: &random)
                return Frame(
                    types.randomElement(using: &random)!,
                    body: (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
                )
            }
            let stream = frames.flatMap { $0.encoded() }
            var chunks: [[UInt8]] = []
            var start = 0
            while start < stream.count {
                let maxChunk = [1, 7, 64, 4096].randomElement(using: &random)!
                let end = min(stream.count, start + Int.random(in: 0...maxChunk, using: &random))
                chunks.append(Array(stream[start..<end]))
                start = end
            }
            let (decoded, left) = try decode(chunks)
            #expect(decoded == frames, "seed \(seed): \(frames.count) frames in \(chunks.count) chunks")
            #expect(left == 0, "seed \(seed)")
            if decoded != frames { return }
        }
    }

    @Test func headerSplitAcrossReadsIsTracked() throws {
        var decoder = FrameDecoder()
        #expect(!decoder.hasPartialFrame)
        #expect(decoder.announcedLength == nil)

        decoder.feed([0x00, 0x01, 0x00])
        #expect(try decoder.next() == nil)
        #expect(decoder.hasPartialFrame)
        #expect(decoder.announcedLength == nil)
        #expect(decoder.announcedType == nil)
        #expect(decoder.bufferedCount == 3)

        decoder.feed([0x00, 0x00, 0x03, 0x4B])
        #expect(try decoder.next() == nil)
        #expect(decoder.hasPartialFrame)
        #expect(decoder.announcedLength == 3)
        #expect(decoder.announcedType == .hello)
        #expect(decoder.bufferedCount == 7)

        // The rest of the body and the first byte of the next frame.
        decoder.feed([0x69, 0x6D, 0x00])
        #expect(!decoder.hasPartialFrame, "a whole frame is waiting to be taken")
        #expect(try decoder.next() == Frame(.hello, text: "Kim"))
        #expect(decoder.hasPartialFrame)
        #expect(decoder.announcedLength == nil)
        #expect(decoder.bufferedCount == 1)
    }

    @Test(arguments: [UInt32(65_537), 0x7FFF_FFFF, 0xFFFF_FFFF])
    func oversizedHeaderIsAnErrorOnceItsSixthByteIsIn(length: UInt32) throws {
        let header =
            Frame(.ping).encoded().prefix(2) + [
                UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF),
            ]
        var decoder = FrameDecoder()
        for byte in header.prefix(5) {
            decoder.feed([byte])
            #expect(try decoder.next() == nil)
        }
        decoder.feed([header.last!])
        #expect(throws: FrameError.tooLarge(length: Int(length), limit: 65_536)) { try decoder.next() }
        #expect(decoder.failure == .tooLarge(length: Int(length), limit: 65_536))
        #expect(decoder.announcedLength == Int(length))
    }

    @Test func theLimitIsConfigurableAndInclusive() throws {
        #expect(
            try decode([Frame(.ping, body: Array(repeating: 1, count: 10)).encoded()], bodyLimit: 10).frames.count == 1
        )
        #expect(throws: FrameError.tooLarge(length: 11, limit: 10)) {
            try decode([Frame(.ping, body: Array(repeating: 1, count: 11)).encoded()], bodyLimit: 10)
        }
        #expect(try decode([Frame(.list).encoded()], bodyLimit: 0).frames == [Frame(.list)])
        #expect(throws: FrameError.tooLarge(length: 1, limit: 0)) {
            try decode([Frame(.ping, body: [1]).encoded()], bodyLimit: 0)
        }
    }

    @Test func framesBeforeAnOversizedHeaderAreStillReturned() throws {
        var decoder = FrameDecoder(bodyLimit: 100)
        decoder.feed(
            Frame(.hello, text: "Kim").encoded() + Frame(.list).encoded() + [0x00, 0x05, 0x00, 0x00, 0x01, 0x00]
        )
        #expect(try decoder.next() == Frame(.hello, text: "Kim"))
        #expect(try decoder.next() == Frame(.list))
        #expect(throws: FrameError.tooLarge(length: 256, limit: 100)) { try decoder.next() }
    }

    @Test func aFailedDecoderStaysFailed() throws {
        var decoder = FrameDecoder(bodyLimit: 2)
        decoder.feed(Frame(.ping, body: [1, 2, 3]).encoded())
        #expect(throws: FrameError.tooLarge(length: 3, limit: 2)) { try decoder.next() }
        decoder.feed(Frame(.list).encoded())
        #expect(throws: FrameError.tooLarge(length: 3, limit: 2)) { try decoder.next() }
    }

    /// Linear by design: appends are amortised O(1), `next()` on an incomplete frame reads only
    /// the header, and the consumed front is dropped only when it is half the buffer. A quadratic
    /// decoder would copy about 2 GiB here and make this test crawl.
    @Test func a64KiBBodyFedOneByteAtATime() throws {
        let frame = Frame(.ping, body: (0..<Frame.defaultBodyLimit).map { UInt8(truncatingIfNeeded: $0 * 7) })
        var decoder = FrameDecoder()
        var decoded: [Frame] = []
        for byte in frame.encoded() {
            decoder.feed(CollectionOfOne(byte))
            if let frame = try decoder.next() { decoded.append(frame) }
        }
        #expect(decoded == [frame])
        #expect(decoder.bufferedCount == 0)
    }

    @Test func tenThousandFramesFedOneByteAtATime() throws {
        let frames = (0..<10_000).map { Frame(.broadcast, text: "n\($0)") }
        let (decoded, left) = try decode(frames.flatMap { $0.encoded() }.map { [$0] })
        #expect(decoded == frames)
        #expect(left == 0)
    }
}
