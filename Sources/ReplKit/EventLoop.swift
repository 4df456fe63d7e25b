import SocketKit
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

// The REPL serves key presses, every peer's socket and signals on one thread, from one wait: libedit is not
// thread-safe, and one thread means no locks anywhere else.

/// One wait for several descriptors, on poll(2): it also takes standard input when that is a file (epoll refuses
/// regular files and /dev/null), and the handful of descriptors a REPL holds costs nothing to list each time.
///
/// Why not SocketKit's `Selector`: the interests change every turn (the terminal only while no command waits, write
/// interest only while a send waits), and the REPL must tell a terminal that hung up (POLLHUP) from one that has a
/// key to read — a difference Python's selectors, and so `Selector`, fold into "readable". Servers should use
/// `Selector`; this loop is the REPL's own terminal plumbing.
enum Poller {
    struct Interest {
        let fd: Int32
        var read = true
        var write = false
    }

    struct Event {
        let fd: Int32
        let readable: Bool
        let writable: Bool
        /// The other end is gone for good (a terminal hung up): reading will never block, nor bring anything.
        let hungUp: Bool
    }

    /// Waits until one of the descriptors is ready or `timeout` passes (nil: no limit). A signal ends the wait
    /// early with no events; the signal pipe says which.
    static func wait(for interests: [Interest], timeout: Duration?) -> [Event] {
        var entries = interests.map { interest in
            var events: Int32 = 0
            if interest.read { events |= Int32(POLLIN) }
            if interest.write { events |= Int32(POLLOUT) }
            return pollfd(fd: interest.fd, events: Int16(events), revents: 0)
        }
        guard poll(&entries, nfds_t(entries.count), pollTimeout(timeout)) > 0 else { return [] }
        // A hang-up or an error counts as readable (and writable): the next recv or send says what happened.
        let trouble = Int32(POLLHUP) | Int32(POLLERR) | Int32(POLLNVAL)
        return entries.compactMap { entry in
            let revents = Int32(entry.revents)
            guard revents != 0 else { return nil }
            return Event(
                fd: entry.fd,
                readable: revents & (Int32(POLLIN) | trouble) != 0,
                writable: revents & (Int32(POLLOUT) | trouble) != 0,
                hungUp: revents & trouble != 0
            )
        }
    }
}

/// Signals as readable bytes: the handler writes the signal's number to a pipe that the event loop polls, so a
/// Ctrl-C wakes the wait at once and is then handled like any other event (a handler may do almost nothing else
/// safely).
enum SignalPipe {
    private static let readEnd = Atomic<Int32>(-1)
    /// Read by the handler: an atomic load is safe in a signal handler.
    fileprivate static let writeEnd = Atomic<Int32>(-1)

    /// The descriptor to poll, or nil when `install` has not been called (as in tests that drive a session
    /// in-process: their Ctrl-C stays theirs).
    static var descriptor: Int32? {
        let fd = readEnd.load(ordering: .acquiring)
        return fd < 0 ? nil : fd
    }

    /// Routes SIGINT (Ctrl-C), SIGTERM, SIGHUP and SIGWINCH (window resized) to the pipe. Once per process.
    static func install() {
        guard descriptor == nil else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        writeEnd.store(fds[1], ordering: .releasing)
        readEnd.store(fds[0], ordering: .releasing)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGWINCH] {
            _ = signal(number, forwardSignal)
        }
        // A peer that vanishes mid-send must give EPIPE, never kill the REPL (SocketKit covers sockets; this covers
        // the rest).
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// The signals that arrived since the last call.
    static func drain() -> [Int32] {
        guard let fd = descriptor else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64)
        var signals: [Int32] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return signals }
            signals += buffer[..<count].map(Int32.init)
        }
    }
}

/// The handler. It keeps errno as it found it: the code it interrupted may be about to read errno.
private func forwardSignal(_ number: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(SignalPipe.writeEnd.load(ordering: .relaxed), &byte, 1)
    errno = saved
}
