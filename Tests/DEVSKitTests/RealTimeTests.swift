import DEVSKit
import FrameKit
import Testing

@Suite struct RealTimeTests {
    @Test func theClockIsTheDurationSinceItsEpoch() {
        let epoch = ContinuousClock.now
        let clock = RealTimeClock(epoch: epoch)
        #expect(clock.time(at: epoch) == .zero)
        #expect(clock.time(at: epoch.advanced(by: .milliseconds(1_500))) == .milliseconds(1_500))
        #expect(clock.instant(at: .seconds(3)) == epoch.advanced(by: .seconds(3)))
        #expect(clock.now() >= .zero)
    }

    @Test func theSelectTimeoutComesFromTheNextEventTime() {
        let clock = RealTimeClock()
        #expect(clock.timeout(until: nil) == nil)
        #expect(clock.timeout(until: clock.now() - .seconds(1)) == .zero)
        let timeout = clock.timeout(until: clock.now() + .seconds(60))
        #expect(timeout != nil && timeout! > .seconds(59) && timeout! <= .seconds(60))
    }

    @Test func aDeadlineFiresInRealTime() async throws {
        let clock = RealTimeClock()
        let start = clock.now()
        var simulator = AtomicSimulator(try greeter(wait: .milliseconds(20)), state: GreeterState(), at: start)
        #expect(try simulator.advance(to: clock.now()) == [Timed(start, .ask(askName))])
        #expect(simulator.nextEventTime == start + .milliseconds(20))
        try await Task.sleep(for: .milliseconds(40))
        // However late the loop wakes up, the output carries the instant it was due.
        #expect(try simulator.advance(to: clock.now()) == [Timed(start + .milliseconds(20), .timeout(askName))])
        #expect(simulator.phase == "GAVE_UP")
        #expect(clock.timeout(until: simulator.nextEventTime) == nil)
    }

    /// How a server drives one receiver per connection: the earliest `nextEventTime` is the select
    /// timeout, and only the receivers due are advanced.
    @Test func aLoopOverManyReceivers() throws {
        let model = try frameReceiver(timeout: .seconds(5))
        let count = 200
        var receivers = (0..<count).map { _ in AtomicSimulator(model, state: ReceiverState()) }
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
}
