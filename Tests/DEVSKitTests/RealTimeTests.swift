import DEVSKit
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
        var simulator = AtomicSimulator(try asker(wait: .milliseconds(20)), state: AskerState(), at: start)
        #expect(try simulator.advance(to: clock.now()) == [Timed(start, .ask)])
        #expect(simulator.nextEventTime == start + .milliseconds(20))
        try await Task.sleep(for: .milliseconds(40))
        // However late the loop wakes up, the output carries the instant it was due.
        #expect(try simulator.advance(to: clock.now()) == [Timed(start + .milliseconds(20), .timeout)])
        #expect(simulator.phase == "GAVE_UP")
        #expect(clock.timeout(until: simulator.nextEventTime) == nil)
    }
}
