import Dispatch
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Runs `cleanup` when the program is told to stop — Ctrl-C in its terminal (SIGINT) or `kill` (SIGTERM) — and then
/// ends it as that signal would have (the shell sees status 130 or 143). Without it, those signals end a program on
/// the spot, and whatever it meant to tidy up stays behind: a Unix socket's file, say. Cleanups run in the order
/// they were registered, once each. (An error that ends the program is not a signal: tidy up after one with `defer`.)
///
/// Python's `signal.signal(signal.SIGINT, handler)`, made safe: a signal handler interrupts whatever the program was
/// doing, on any thread, so it may do almost nothing — this one only writes the signal's number into a pipe. A
/// thread of its own reads it and runs `cleanup` there, where any Swift code is fine.
public func whenStopped(_ cleanup: @escaping @Sendable () -> Void) {
    StopSignals.shared.add(cleanup)
}

private final class StopSignals: Sendable {
    static let shared = StopSignals()
    private let cleanups = Mutex<[@Sendable () -> Void]>([])

    private init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }  // no pipe, no cleanup: the signals keep their usual effect
        let (reading, writing) = (ends[0], ends[1])
        signalPipe.store(writing, ordering: .releasing)
        for number in [SIGINT, SIGTERM] {
            // Captures nothing (a C function pointer cannot): the pipe is a global.
            _ = signal(number) { number in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipe.load(ordering: .acquiring), &byte, 1)
                errno = saved
            }
        }
        DispatchQueue(label: "LabSupport.whenStopped").async { [self] in
            var byte: UInt8 = 0
            while read(reading, &byte, 1) != 1 {
                guard errno == EINTR else { return }
            }
            stop(with: Int32(byte))
        }
    }

    func add(_ cleanup: @escaping @Sendable () -> Void) {
        cleanups.withLock { $0.append(cleanup) }
    }

    /// Runs the cleanups, then lets `number` do what it does by default: end the program.
    private func stop(with number: Int32) {
        let pending = cleanups.withLock { list in
            defer { list = [] }
            return list
        }
        for cleanup in pending { cleanup() }
        fflush(nil)
        signal(number, SIG_DFL)
        kill(getpid(), number)
    }
}

/// The pipe's writing end, for the signal handler: -1 until `StopSignals` has made it.
private let signalPipe = Atomic<Int32>(-1)
