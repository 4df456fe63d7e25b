#if os(Linux)
@preconcurrency import Glibc
import CSystemShims

/// The Linux back-end: one epoll instance. The kernel keeps the interest list, so a wait costs the same with ten
/// thousand idle connections as with one, and events land in one array allocated up front.
final class EpollBackend: SelectorBackend {
    private var epfd: Int32
    private let capacity = 1024
    private let events: UnsafeMutablePointer<epoll_event>

    init() throws {
        epfd = try syscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        events = .allocate(capacity: capacity)
    }

    deinit {
        close()
        events.deallocate()
    }

    func add(_ fd: Int32, _ events: SelectorEvents, serial: UInt32) throws {
        try control(EPOLL_CTL_ADD, fd, events, serial: serial)
    }

    func modify(_ fd: Int32, _ events: SelectorEvents, serial: UInt32) throws {
        try control(EPOLL_CTL_MOD, fd, events, serial: serial)
    }

    func remove(_ fd: Int32) throws {
        do {
            try control(EPOLL_CTL_DEL, fd, [], serial: 0)
        } catch let error as SocketError where error.errno == EBADF || error.errno == ENOENT {
            // Closed before it was unregistered: closing removed it from the epoll set already.
        }
    }

    func wait(timeout: Double?) throws -> Int {
        Int(try waitWithTimeout("epoll_wait", timeout: timeout) { epoll_wait(epfd, events, Int32(capacity), $0) })
    }

    func event(at index: Int) -> ReadyEvent {
        let event = events[index]
        let bits = event.events
        let hangUp = bits & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        var ready: SelectorEvents = []
        if hangUp || bits & (EPOLLIN.rawValue | EPOLLPRI.rawValue) != 0 { ready.insert(.read) }
        if hangUp || bits & EPOLLOUT.rawValue != 0 { ready.insert(.write) }
        // The registration's serial rides in the upper half of the event's user data, the descriptor in the lower.
        return ReadyEvent(
            fd: Int32(truncatingIfNeeded: event.data.u64),
            serial: UInt32(event.data.u64 >> 32),
            events: ready
        )
    }

    func close() {
        if epfd >= 0 { closeDescriptor(epfd) }
        epfd = -1
    }

    private func control(_ operation: Int32, _ fd: Int32, _ interest: SelectorEvents, serial: UInt32) throws {
        var event = epoll_event()
        if interest.contains(.read) { event.events |= EPOLLIN.rawValue }
        if interest.contains(.write) { event.events |= EPOLLOUT.rawValue }
        event.data.u64 = UInt64(serial) << 32 | UInt64(UInt32(bitPattern: fd))
        _ = try syscall("epoll_ctl", target: "descriptor \(fd)") { epoll_ctl(epfd, operation, fd, &event) }
    }
}
#endif
