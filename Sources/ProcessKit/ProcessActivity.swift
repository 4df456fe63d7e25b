#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// What the system says a running child is doing: enough for a check to tell a program that waits (for input, a
/// connection, room to send) from one that is busy or has not been scheduled yet — facts, where a sleep would guess.
public struct ProcessActivity: Sendable, Equatable, CustomStringConvertible {
    /// CPU time (user and system) of all its threads so far.
    public let cpuTime: Duration
    /// No thread is running or ready to run: every one is blocked in a system call (recv, accept, select, read of
    /// standard input, sleep, …).
    public let isWaiting: Bool
    /// How many times its threads have stopped running so far: it grows each time one blocks (or is preempted).
    public let switches: Int

    public var description: String {
        "\(isWaiting ? "waiting" : "running"), \(ChildProcess.seconds(cpuTime)) s of CPU, \(switches) context switches"
    }
}

extension ChildProcess {
    /// What the child is doing now; nil once it has ended.
    public func activity() -> ProcessActivity? {
        termination == nil ? Platform.activity(of: pid) : nil
    }

    /// Waits until the child is waiting (every thread blocked) and `condition` holds for what it is doing, e.g.
    /// "has blocked again since `before`": `{ $0.switches > before.switches }`. Returns that activity; nil if the
    /// child ends or `timeout` passes first. Polls every millisecond: a child that blocks and wakes within one
    /// poll goes unseen, so wait for a state that lasts (blocked in recv for data only the caller will send).
    public func waitUntilWaiting(
        timeout: Duration,
        where condition: (ProcessActivity) -> Bool = { _ in true }
    ) -> ProcessActivity? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let now = activity() else { return nil }
            if now.isWaiting && condition(now) { return now }
            usleep(1_000)
        }
        return nil
    }
}
