#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Runs a system call the way every call in SocketKit is run: errno is read at once (before anything can change
/// it), an interrupted call (EINTR) is simply made again, and any other failure becomes a `SocketError` naming the
/// call. This is the only place in SocketKit that reads errno.
///
/// Would-block (EAGAIN) is thrown like any other error; `SocketError.isWouldBlock` tells it apart, and `Socket`
/// turns it into a wait when the socket has a timeout.
@inline(__always)
func syscall<Result: FixedWidthInteger>(
    _ call: String,
    target: @autoclosure () -> String? = nil,
    retryingInterrupts: Bool = true,
    _ body: () -> Result
) throws(SocketError) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR && retryingInterrupts { continue }
        throw SocketError(call: call, target: target(), reason: .system(errno: code))
    }
}

/// `close` is the exception: it is never retried, because after EINTR the descriptor is already released and its
/// number may belong to someone else by now.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// Waits until `fd` is ready for `events` (POLLIN, POLLOUT) or the timeout (seconds; nil waits for ever) runs out.
/// Returns false on timeout. After EINTR the wait starts again with the time that is left.
func waitUntilReady(_ fd: Int32, events: Int16, timeout: Double?, call: String) throws(SocketError) -> Bool {
    let deadline = timeout.map { ContinuousClock.now.advanced(by: .nanoseconds(Int64($0 * 1e9))) }
    var entry = pollfd(fd: fd, events: events, revents: 0)
    let ready = try syscall(call) {
        poll(&entry, 1, deadline.map { milliseconds(until: $0) } ?? -1)
    }
    return ready > 0
}

/// Whole milliseconds from now until `deadline`, rounded up so a wait never ends early; 0 once it has passed.
func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
    pollTimeout(ContinuousClock.now.duration(to: deadline))
}

/// A duration as poll(2)'s timeout: whole milliseconds, rounded up so that a wait never ends early (0 for a
/// duration already over); nil waits for ever (-1).
public func pollTimeout(_ duration: Duration?) -> Int32 {
    guard let duration else { return -1 }
    return Int32(min(max((duration / .milliseconds(1)).rounded(.up), 0), Double(Int32.max)))
}
