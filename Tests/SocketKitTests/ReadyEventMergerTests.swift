import Testing

@testable import SocketKit

/// kqueue reports reading and writing as separate events; the merger makes one per socket of them, as epoll and poll
/// give. kqueue itself runs only on macOS, but this part of its back-end is plain Swift, tested here on every system.
@Suite struct ReadyEventMergerTests {
    @Test func aSocketReadyForBothIsReportedOnceWithBoth() {
        var merger = ReadyEventMerger()
        merger.add(fd: 5, serial: 1, events: .write)
        merger.add(fd: 7, serial: 2, events: .read)
        merger.add(fd: 5, serial: 1, events: .read)
        #expect(
            merger.events == [
                ReadyEvent(fd: 5, serial: 1, events: [.read, .write]), ReadyEvent(fd: 7, serial: 2, events: .read),
            ]
        )
    }

    @Test func anEventOfAnOlderRegistrationIsNotMergedIntoANewerOne() {
        var merger = ReadyEventMerger()
        merger.add(fd: 5, serial: 1, events: .read)
        merger.add(fd: 5, serial: 2, events: .write)
        #expect(merger.events.count == 2)
    }

    @Test func removeAllStartsAfresh() {
        var merger = ReadyEventMerger()
        merger.add(fd: 5, serial: 1, events: .read)
        merger.removeAll()
        merger.add(fd: 5, serial: 1, events: .write)
        #expect(merger.events == [ReadyEvent(fd: 5, serial: 1, events: .write)])
    }
}
