#if canImport(Darwin)
@preconcurrency import Darwin
import Synchronization

/// The macOS back-end: one kqueue, modelled on swift-nio's `SelectorKqueue`. As with epoll, the kernel keeps the
/// interest list, so a wait costs the same with ten thousand idle connections as with one. Unlike epoll, kqueue
/// watches reading and writing as two filters, each registered and reported on its own: registering and modifying
/// add or delete filters, and `wait` folds a socket's filters back into one event, as the other back-ends give.
final class KqueueBackend: SelectorBackend {
    /// The selector's own copy of the descriptor: only this thread waits on it and closes it.
    private var queue: Int32
    /// The same descriptor for the wakers on other threads (see `makeWakeUp`).
    private let shared: SharedKqueue
    private let capacity = 1024
    private let events: UnsafeMutablePointer<kevent>
    /// The filters each descriptor is registered with, and its registration's serial.
    private var registered: [Int32: (events: SelectorEvents, serial: UInt32)] = [:]
    private var ready = ReadyEventMerger()

    init() throws {
        let queue = try syscall("kqueue") { kqueue() }
        // The wakers' user event. Its identifier lives apart from descriptors (filter EVFILT_USER), and EV_CLEAR
        // resets it once a wait has reported it.
        var wake = kevent(
            ident: 0,
            filter: Int16(EVFILT_USER),
            flags: UInt16(EV_ADD | EV_CLEAR | EV_RECEIPT),
            fflags: UInt32(NOTE_FFNOP),
            data: 0,
            udata: nil
        )
        do {
            try Self.apply(on: queue, &wake, count: 1, target: "the selector's wake-up event")
        } catch {
            closeDescriptor(queue)
            throw error
        }
        self.queue = queue
        shared = SharedKqueue(queue)
        events = .allocate(capacity: capacity)
    }

    deinit {
        close()
        events.deallocate()
    }

    func add(_ fd: Int32, _ events: SelectorEvents, serial: UInt32) throws {
        try change(fd, to: events, serial: serial)
    }

    func modify(_ fd: Int32, _ events: SelectorEvents, serial: UInt32) throws {
        try change(fd, to: events, serial: serial)
    }

    func remove(_ fd: Int32) throws {
        defer { registered[fd] = nil }
        do {
            try change(fd, to: [], serial: 0)
        } catch let error as SocketError where error.errno == EBADF || error.errno == ENOENT {
            // Closed before it was unregistered: closing removed its filters from the kqueue already.
        }
    }

    func wait(timeout: Double?) throws -> Int {
        let count = try waitWithTimeout("kevent", timeout: timeout) { milliseconds in
            guard milliseconds >= 0 else { return kevent(queue, nil, 0, events, Int32(capacity), nil) }
            var limit = timespec(tv_sec: Int(milliseconds / 1000), tv_nsec: Int(milliseconds % 1000) * 1_000_000)
            return kevent(queue, nil, 0, events, Int32(capacity), &limit)
        }
        ready.removeAll()
        for index in 0..<Int(count) {
            let event = events[index]
            guard event.filter != Int16(EVFILT_USER) else { continue }  // a waker: its only job was to end the wait
            var readiness: SelectorEvents = event.filter == Int16(EVFILT_WRITE) ? .write : .read
            // An error on the descriptor: both, so that the program's next call on it reports the error.
            if Int32(event.flags) & EV_ERROR != 0 { readiness = [.read, .write] }
            // The registration's serial rides in the event's user data.
            ready.add(
                fd: Int32(truncatingIfNeeded: event.ident),
                serial: UInt32(truncatingIfNeeded: UInt(bitPattern: event.udata)),
                events: readiness
            )
        }
        return ready.events.count
    }

    func event(at index: Int) -> ReadyEvent { ready.events[index] }

    func close() {
        shared.close()
        queue = -1
        registered.removeAll()
    }

    /// kqueue's own wake-up: other threads trigger the user event registered in `init`, no socket pair needed.
    func makeWakeUp() throws -> (@Sendable () -> Void)? {
        let shared = self.shared
        return { shared.trigger() }
    }

    /// Adds the filters `fd` is now watched for and deletes the ones it no longer is, in one call.
    private func change(_ fd: Int32, to new: SelectorEvents, serial: UInt32) throws {
        let old = registered[fd]
        try withUnsafeTemporaryAllocation(of: kevent.self, capacity: 2) { changes in
            var count = 0
            func plan(_ kind: SelectorEvents, _ filter: Int32) {
                let had = old?.events.contains(kind) ?? false
                let action: Int32
                if new.contains(kind) {
                    // Adding a filter again replaces its user data: needed only when the serial changed.
                    guard !had || old?.serial != serial else { return }
                    action = EV_ADD
                } else {
                    guard had else { return }
                    action = EV_DELETE
                }
                changes[count] = kevent(
                    ident: UInt(fd),
                    filter: Int16(filter),
                    flags: UInt16(action | EV_RECEIPT),
                    fflags: 0,
                    data: 0,
                    udata: UnsafeMutableRawPointer(bitPattern: UInt(serial))
                )
                count += 1
            }
            plan(.read, EVFILT_READ)
            plan(.write, EVFILT_WRITE)
            guard count > 0, let first = changes.baseAddress else { return }
            try Self.apply(on: queue, first, count: count, target: "descriptor \(fd)")
        }
        registered[fd] = new.isEmpty ? nil : (new, serial)
    }

    /// Applies `count` changes starting at `first`. With EV_RECEIPT the kernel answers every change in place
    /// (the change list may be the event list too), so one failing filter cannot hide another's failure.
    private static func apply(
        on queue: Int32,
        _ first: UnsafeMutablePointer<kevent>,
        count: Int,
        target: String
    ) throws {
        var now = timespec(tv_sec: 0, tv_nsec: 0)
        let answered = try syscall("kevent", target: target) {
            kevent(queue, first, Int32(count), first, Int32(count), &now)
        }
        for index in 0..<Int(answered) where Int32(first[index].flags) & EV_ERROR != 0 && first[index].data != 0 {
            throw SocketError(call: "kevent", target: target, reason: .system(errno: Int32(first[index].data)))
        }
    }
}

/// The kqueue descriptor as the wakers on other threads see it: triggering the user event and closing the
/// descriptor take turns, so a waker never touches a descriptor number that was closed (and perhaps reused).
private final class SharedKqueue: Sendable {
    private let descriptor: Mutex<Int32>

    init(_ descriptor: Int32) { self.descriptor = Mutex(descriptor) }

    func trigger() {
        descriptor.withLock { queue in
            guard queue >= 0 else { return }  // the selector is closed: nothing left to wake
            var wake = kevent(
                ident: 0,
                filter: Int16(EVFILT_USER),
                flags: 0,
                fflags: UInt32(NOTE_TRIGGER),
                data: 0,
                udata: nil
            )
            _ = kevent(queue, &wake, 1, nil, 0, nil)
        }
    }

    func close() {
        descriptor.withLock { queue in
            if queue >= 0 { closeDescriptor(queue) }
            queue = -1
        }
    }
}
#endif
