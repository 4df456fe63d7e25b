import DEVSKit
import FrameKit
import Lab5Given
import Lab5ProtocolSolution
import TestSupport
import Testing

/// The router's frame receiver in virtual time: each test is a script of (time, input) and the (time, output) it
/// must produce.
@Suite struct ReceiverTests {
    let model: ReceiverModel

    init() throws {
        model = try receiverModel(frameTimeout: .seconds(5))
    }

    func run(
        _ inputs: [Timed<ReceiverInput>],
        until end: Duration = .seconds(100),
        bodyLimit: Int = 65_536
    ) throws
        -> SimulationResult<ReceiverState, ReceiverOutput>
    {
        try model.simulate(from: ReceiverState(reader: FrameReader(bodyLimit: bodyLimit)), inputs: inputs, until: end)
    }

    static let kim = Frame(.hello, text: "Kim")

    @Test func aWholeFrameIsDeliveredAtOnce() throws {
        let result = try run([Timed(.milliseconds(412), .bytes(Self.kim.encoded()))])
        #expect(result.outputs == [Timed(.milliseconds(412), .frame(Self.kim))])
        #expect(result.phase == "IDLE")
        #expect(
            result.trace == [
                TraceEntry(
                    time: .milliseconds(412),
                    from: "IDLE",
                    to: "DELIVER",
                    event: .input("bytes(9)"),
                    condition: "frame ready"
                ),
                TraceEntry(
                    time: .milliseconds(412),
                    from: "DELIVER",
                    to: "IDLE",
                    event: .output(#"frame(HELLO "Kim")"#),
                    condition: "nothing buffered"
                ),
            ]
        )
        #expect(
            result.trace.map(\.description) == [
                "    0.412s  IDLE → DELIVER  ?bytes(9) [frame ready]",
                #"    0.412s  DELIVER → IDLE  !frame(HELLO "Kim") [nothing buffered]"#,
            ]
        )
    }

    @Test func severalFramesInOneChunkComeOutInOrderAtTheSameInstant() throws {
        let frames = [Self.kim, Frame(.list), Frame(.send, text: "Lee\nhi"), Frame(.bye)]
        let result = try run([Timed(.seconds(2), .bytes(frames.flatMap { $0.encoded() }))])
        #expect(result.outputs == frames.map { Timed(.seconds(2), .frame($0)) })
        #expect(result.trace.map(\.to) == ["DELIVER", "DELIVER", "DELIVER", "DELIVER", "IDLE"])
    }

    @Test func aPeerDribblingOneBytePerSecondStillTimesOut() throws {
        // 16 bytes, one a second from t=1: the frame started at 1 s, so it times out at 6 s,
        // although a byte arrived less than a second before.
        let bytes = Frame(.broadcast, text: "0123456789").encoded()
        let inputs = bytes.enumerated().map { Timed(.seconds($0.offset + 1), ReceiverInput.bytes([$0.element])) }
        let result = try run(inputs)
        #expect(result.outputs == [Timed(.seconds(6), .error(.timeout))])
        #expect(result.phase == "CLOSED")
        #expect(result.trace.prefix(6).map(\.to) == ["HEADER", "HEADER", "HEADER", "HEADER", "HEADER", "CLOSED"])
        #expect(
            result.trace[5]
                == TraceEntry(time: .seconds(6), from: "HEADER", to: "CLOSED", event: .output("error(timeout)"))
        )
        // The bytes after the timeout are taken and ignored in CLOSED.
        #expect(result.trace.dropFirst(6).allSatisfy { $0.from == "CLOSED" && $0.to == "CLOSED" })
    }

    @Test func theDeadlineRunsFromEachFramesFirstByte() throws {
        let first = Frame(.broadcast, text: "first")
        let second = Frame(.broadcast, text: "second")
        let a = first.encoded()
        let b = second.encoded()
        let result = try run([
            Timed(.seconds(1), .bytes(Array(a.prefix(3)))),  // header begins: deadline 6 s
            // The second frame begins: deadline 10.9 s.
            Timed(.milliseconds(5_900), .bytes(Array(a.dropFirst(3)) + Array(b.prefix(1)))),
            Timed(.seconds(10), .bytes(Array(b.dropFirst(1)))),
        ])
        #expect(result.outputs == [Timed(.milliseconds(5_900), .frame(first)), Timed(.seconds(10), .frame(second))])
        #expect(result.phase == "IDLE")
    }

    @Test func headerCompleteBodyMissingTimesOutInBody() throws {
        let result = try run([Timed(.seconds(1), .bytes(Array(Self.kim.encoded().prefix(7))))])
        #expect(result.trace.first?.to == "BODY")
        #expect(result.outputs == [Timed(.seconds(6), .error(.timeout))])
    }

    @Test func aFrameCompletingExactlyAtItsDeadlineHasTimedOut() throws {
        // Input and deadline at the same instant: the internal transition goes first.
        let bytes = Self.kim.encoded()
        let result = try run([
            Timed(.seconds(1), .bytes(Array(bytes.prefix(4)))),
            Timed(.seconds(6), .bytes(Array(bytes.dropFirst(4)))),
        ])
        #expect(result.outputs == [Timed(.seconds(6), .error(.timeout))])
        #expect(result.trace.map(\.to) == ["HEADER", "CLOSED", "CLOSED"])
        // A nanosecond earlier the frame makes it.
        let inTime = try run([
            Timed(.seconds(1), .bytes(Array(bytes.prefix(4)))),
            Timed(.seconds(6) - .nanoseconds(1), .bytes(Array(bytes.dropFirst(4)))),
        ])
        #expect(inTime.outputs == [Timed(.seconds(6) - .nanoseconds(1), .frame(Self.kim))])
    }

    @Test(arguments: [UInt32(65_537), 0xFFFF_FFFF])
    func anOversizedHeaderFailsAsSoonAsItsSixBytesAreIn(length: UInt32) throws {
        let header: [UInt8] = [
            0x00, 0x05, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
            UInt8(length & 0xFF),
        ]
        // A byte every half second: nothing is decided until the sixth, at 3.5 s.
        let inputs = header.enumerated().map {
            Timed(.milliseconds(1_000 + 500 * $0.offset), ReceiverInput.bytes([$0.element]))
        }
        let fiveBytes = try run(Array(inputs.prefix(5)), until: .milliseconds(3_499))
        #expect(fiveBytes.outputs.isEmpty)
        #expect(fiveBytes.phase == "HEADER")
        let result = try run(inputs)
        #expect(result.outputs == [Timed(.milliseconds(3_500), .error(.tooLarge))])
        #expect(result.trace.suffix(3).map(\.to) == ["HEADER", "FAIL", "CLOSED"])
        #expect(result.trace.suffix(2).allSatisfy { $0.time == .milliseconds(3_500) })
        #expect(result.phase == "CLOSED")
    }

    @Test func framesBeforeAnOversizedHeaderAreDeliveredFirst() throws {
        let chunk = Self.kim.encoded() + Frame(.list).encoded() + [0x00, 0x05, 0x00, 0x01, 0x00, 0x01]
        let result = try run([Timed(.seconds(3), .bytes(chunk))])
        #expect(
            result.outputs == [
                Timed(.seconds(3), .frame(Self.kim)), Timed(.seconds(3), .frame(Frame(.list))),
                Timed(.seconds(3), .error(.tooLarge)),
            ]
        )
        #expect(result.phase == "CLOSED")
    }

    @Test func endOfStreamMidFrameIsTruncatedAndWhenIdleJustCloses() throws {
        let midFrame = try run([Timed(.seconds(1), .bytes([0x00])), Timed(.seconds(2), .eof)])
        #expect(midFrame.outputs == [Timed(.seconds(2), .error(.truncated))])
        #expect(midFrame.phase == "CLOSED")

        let idle = try run([Timed(.seconds(1), .bytes(Self.kim.encoded())), Timed(.seconds(2), .eof)])
        #expect(idle.outputs == [Timed(.seconds(1), .frame(Self.kim))])
        #expect(idle.phase == "CLOSED")
    }

    @Test func anEmptyReadLeavesAnIdleReceiverIdle() throws {
        let result = try run([Timed(.seconds(1), .bytes([]))])
        #expect(result.outputs.isEmpty)
        #expect(
            result.trace == [
                TraceEntry(
                    time: .seconds(1),
                    from: "IDLE",
                    to: "IDLE",
                    event: .input("bytes(0)"),
                    condition: "nothing buffered"
                )
            ]
        )
    }

    /// Any chunking at any times (within the timeout) delivers the frames in order, each at the
    /// instant of the chunk that completed it.
    @Test func randomStreamsInRandomChunksAtRandomTimes() throws {
        let patient = try receiverModel(frameTimeout: .seconds(3600))
        for run in 0..<200 {
            let seed = 0xDE_5000 + UInt64(run)
            var random = SeededRandom(seed: seed)
            let frames = (0..<Int.random(in: 0...12, using: &random)).map { index in
                Frame(
                    FrameType.known.randomElement(using: &random)!,
                    body: (0..<Int.random(in: 0...(index % 4 == 0 ? 0 : 200), using: &random)).map { _ in
                        UInt8.random(in: 0...255, using: &random)
                    }
                )
            }
            let stream = frames.flatMap { $0.encoded() }
            var inputs: [Timed<ReceiverInput>] = []
            var expected: [Timed<ReceiverOutput>] = []
            var time = Duration.zero
            var start = 0
            var frameEnds = frames.reduce(into: [Int]()) { ends, frame in
                ends.append((ends.last ?? 0) + frame.encoded().count)
            }[...]
            var frameIndex = 0
            while start < stream.count {
                let end = min(
                    stream.count,
                    start + Int.random(in: 0...[1, 5, 50, 500].randomElement(using: &random)!, using: &random)
                )
                time += .milliseconds(Int.random(in: 0...1500, using: &random))
                inputs.append(Timed(time, .bytes(Array(stream[start..<end]))))
                while let next = frameEnds.first, next <= end {
                    expected.append(Timed(time, .frame(frames[frameIndex])))
                    frameEnds.removeFirst()
                    frameIndex += 1
                }
                start = end
            }
            let result = try patient.simulate(
                from: ReceiverState(reader: FrameReader()),
                inputs: inputs,
                until: time + .seconds(1)
            )
            #expect(result.outputs == expected, "seed \(seed)")
            #expect(result.phase == "IDLE", "seed \(seed)")
            if result.outputs != expected { return }
        }
    }

    /// How the router drives one receiver per connection: the earliest `nextEventTime` is the select timeout, and
    /// only the receivers due are advanced.
    @Test func aLoopOverManyReceivers() throws {
        let count = 200
        var receivers = (0..<count).map { _ in Receiver(model, state: ReceiverState(reader: FrameReader())) }
        var timeouts: [Timed<Int>] = []
        // Connection i sends half a header at i ms; the even ones finish their frame at 1 s.
        for index in 0..<count {
            _ = try receivers[index].receive(.bytes([0x00, 0x05, 0x00]), at: .milliseconds(index))
        }
        for index in stride(from: 0, to: count, by: 2) {
            let outputs = try receivers[index].receive(.bytes([0x00, 0x00, 0x00]), at: .seconds(1))
            #expect(outputs == [Timed(.seconds(1), .frame(Frame(.ping)))])
        }
        while let next = receivers.compactMap(\.nextEventTime).min() {
            for index in receivers.indices where receivers[index].nextEventTime == next {
                for output in try receivers[index].advance(to: next) where output.value == .error(.timeout) {
                    timeouts.append(Timed(output.time, index))
                }
            }
        }
        let odd = stride(from: 1, to: count, by: 2)
        #expect(timeouts == odd.map { Timed(.seconds(5) + .milliseconds($0), $0) })
        #expect(receivers.indices.allSatisfy { receivers[$0].phase == ($0 % 2 == 0 ? "IDLE" : "CLOSED") })
    }

    @Test func theTraceLabelsAFrameByItsFirstBytes() {
        #expect(ReceiverOutput.frame(Frame(.broadcast, text: String(repeating: "x", count: 100))).traceLabel.count < 80)
        #expect(ReceiverOutput.error(.tooLarge).traceLabel == "error(too-large)")
        #expect(ReceiverInput.bytes([1, 2, 3]).traceLabel == "bytes(3)")
    }
}
