/// Real time as the simulator sees it: the `Duration` since an epoch on the monotonic
/// `ContinuousClock`.
///
/// Keeping real time as a `Duration` is what lets servers and tests share one simulator: a test
/// passes the times of its script, a server passes `now()`. A server makes one clock and gives
/// every connection's simulator its times, so their `nextEventTime`s can be compared directly.
public struct RealTimeClock: Sendable {
    public let epoch: ContinuousClock.Instant

    /// A clock whose time 0 is `epoch` (by default, now).
    public init(epoch: ContinuousClock.Instant = .now) {
        self.epoch = epoch
    }

    /// The current time.
    public func now() -> Duration {
        time(at: .now)
    }

    /// The time of an instant of the continuous clock.
    public func time(at instant: ContinuousClock.Instant) -> Duration {
        epoch.duration(to: instant)
    }

    /// The instant of the continuous clock at a time.
    public func instant(at time: Duration) -> ContinuousClock.Instant {
        epoch.advanced(by: time)
    }

    /// How long a selector may sleep before `time` comes (zero if it has passed), or nil to sleep
    /// until input when there is no deadline: pass the earliest `nextEventTime` of all models.
    public func timeout(until time: Duration?) -> Duration? {
        time.map { max(.zero, $0 - now()) }
    }
}
