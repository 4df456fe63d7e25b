#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The portable back-end: poll(2), on Linux and macOS alike. It watches any descriptor (epoll refuses regular
/// files), at the price of handing the kernel the whole list on every wait.
final class PollBackend: SelectorBackend {
    private var entries: [pollfd] = []
    private var serials: [UInt32] = []
    private var position: [Int32: Int] = [:]
    /// Copied out of `entries` after each wait, since handling one event may add or remove entries.
    private var ready: [ReadyEvent] = []

    func add(_ fd: Int32, _ events: SelectorEvents, serial: UInt32) throws {
        position[fd] = entries.count
        entries.append(pollfd(fd: fd, events: Self.pollEvents(events), revents: 0))
        serials.append(serial)
    }

    func modify(_ fd: Int32, _ events: SelectorEvents, serial: UInt32) throws {
        guard let index = position[fd] else { return }
        entries[index].events = Self.pollEvents(events)
        serials[index] = serial
    }

    func remove(_ fd: Int32) throws {
        guard let index = position.removeValue(forKey: fd) else { return }
        // Move the last entry into the gap, so removing costs the same wherever the entry is.
        let last = entries.count - 1
        if index != last {
            entries[index] = entries[last]
            serials[index] = serials[last]
            position[entries[index].fd] = index
        }
        entries.removeLast()
        serials.removeLast()
    }

    func wait(timeout: Double?) throws -> Int {
        let count = try waitWithTimeout("poll", timeout: timeout) { milliseconds in
            entries.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), milliseconds) }
        }
        ready.removeAll(keepingCapacity: true)
        guard count > 0 else { return 0 }
        for (index, entry) in entries.enumerated() where entry.revents != 0 {
            let bits = Int32(entry.revents)
            let hangUp = bits & (POLLHUP | POLLERR | POLLNVAL) != 0
            var events: SelectorEvents = []
            if hangUp || bits & (POLLIN | POLLPRI) != 0 { events.insert(.read) }
            if hangUp || bits & POLLOUT != 0 { events.insert(.write) }
            ready.append(ReadyEvent(fd: entry.fd, serial: serials[index], events: events))
        }
        return ready.count
    }

    func event(at index: Int) -> ReadyEvent { ready[index] }

    func close() {
        entries.removeAll()
        serials.removeAll()
        position.removeAll()
    }

    private static func pollEvents(_ events: SelectorEvents) -> Int16 {
        Int16((events.contains(.read) ? POLLIN : 0) | (events.contains(.write) ? POLLOUT : 0))
    }
}
