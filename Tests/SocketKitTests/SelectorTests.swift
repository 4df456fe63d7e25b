import Foundation
import SocketKit
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Every test runs once per back-end: epoll and poll on Linux, kqueue and poll on macOS.
@Suite struct SelectorTests {
    typealias Backend = Selector<String>.Backend

    /// A connected pair of non-blocking sockets, closed when the test ends.
    final class Pair {
        let a: Socket
        let b: Socket
        init() throws {
            (a, b) = try Socket.socketPair()
            try a.setBlocking(false)
            try b.setBlocking(false)
        }
        deinit {
            a.close()
            b.close()
        }
    }

    /// What one select reports, as plain values.
    func ready(_ sel: Selector<String>, timeout: Double? = 0) throws -> [String: SelectorEvents] {
        var found: [String: SelectorEvents] = [:]
        for (key, events) in try sel.select(timeout: timeout) { found[key.data] = events }
        return found
    }

    @Test(arguments: Backend.allCases)
    func reportsReadableAndWritable(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pair = try Pair()
        try sel.register(pair.a, events: [.read, .write], data: "a")
        #expect(try ready(sel) == ["a": .write])  // nothing to read yet, room to write
        try pair.b.sendAll("hello")
        #expect(try ready(sel) == ["a": [.read, .write]])
        #expect(try pair.a.recv(100) == Array("hello".utf8))
        #expect(try ready(sel) == ["a": .write])
    }

    @Test(arguments: Backend.allCases)
    func manySocketsReadyAtOnceAreAllReported(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pairs = try (0..<50).map { _ in try Pair() }
        for (index, pair) in pairs.enumerated() { try sel.register(pair.a, events: .read, data: "\(index)") }
        for pair in pairs.enumerated() where pair.offset % 2 == 0 { try pair.element.b.sendAll("x") }
        let found = try ready(sel)
        #expect(found.count == 25)
        #expect(found.keys.allSatisfy { Int($0)! % 2 == 0 })
        #expect(found.values.allSatisfy { $0 == .read })
    }

    @Test(arguments: Backend.allCases)
    func modifyChangesWhatIsReported(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pair = try Pair()
        let key = try sel.register(pair.a, events: .read, data: "a")
        try pair.b.sendAll("x")
        try sel.modify(pair.a, events: .write)
        #expect(key.events == .write)
        #expect(try ready(sel) == ["a": .write])
        try sel.modify(pair.a, events: .read, data: "renamed")
        #expect(try ready(sel) == ["renamed": .read])
        #expect(sel.key(for: pair.a) === key)
    }

    @Test(arguments: Backend.allCases)
    func unregisteringWhileEventsArePendingDropsThem(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let first = try Pair()
        let second = try Pair()
        try sel.register(first.a, events: .read, data: "first")
        try sel.register(second.a, events: .read, data: "second")
        try first.b.sendAll("1")
        try second.b.sendAll("2")
        var handled: [String] = []
        for (key, _) in try sel.select(timeout: 0) {
            handled.append(key.data)
            // Whichever comes first ends the other's registration, closes it, and reuses its descriptor number.
            let other = key.data == "first" ? second.a : first.a
            let number = other.fileno()
            try sel.unregister(other)
            other.close()
            let (reused, spare) = try Socket.socketPair()
            defer {
                spare.close()
                reused.close()
            }
            if reused.fileno() == number { try sel.register(reused, events: .write, data: "reused") }
        }
        #expect(handled.count == 1)
    }

    @Test(arguments: Backend.allCases)
    func endOfFileIsReadable(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pair = try Pair()
        try sel.register(pair.a, events: .read, data: "a")
        #expect(try ready(sel).isEmpty)
        try pair.b.shutdown(.write)
        #expect(try ready(sel) == ["a": .read])
        #expect(try pair.a.recv(10).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func hangUpIsReadableEvenWhenOnlyWatchingForWrites(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pair = try Pair()
        try sel.register(pair.a, events: .read, data: "reader")
        pair.b.close()
        #expect(try ready(sel) == ["reader": .read])

        let tcp = try TCPPair()
        try sel.register(tcp.server, events: .write, data: "writer")
        try tcp.client.setSockOpt(.linger, 0)
        tcp.client.close()  // a reset: the writer must hear of it, or it would wait for ever
        #expect(try ready(sel, timeout: 5)["writer"] == .write)
        #expect(throws: SocketError.self) {
            for _ in 0..<4 { try tcp.server.send(Array(repeating: 0, count: 100_000)) }
        }
    }

    @Test(arguments: Backend.allCases)
    func timeouts(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pair = try Pair()
        try sel.register(pair.a, events: .read, data: "a")

        #expect(try sel.select(timeout: 0).isEmpty)  // 0: only looks

        let started = ContinuousClock.now
        #expect(try sel.select(timeout: 0.05).isEmpty)  // positive: waits that long, not less
        #expect(ContinuousClock.now - started >= .milliseconds(50))

        // nil: waits for ever — until another thread sends something.
        let writer = pair.b
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.05)
            _ = try? writer.send("late")
        }
        thread.start()
        #expect(try ready(sel, timeout: nil) == ["a": .read])
        #expect(throws: SocketError.self) { try sel.select(timeout: -1) }
    }

    @Test(arguments: Backend.allCases)
    func aWakerInterruptsABlockedSelect(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pair = try Pair()
        try sel.register(pair.a, events: .read, data: "a")
        let waker = try sel.makeWaker()
        let bothSent = DispatchSemaphore(value: 0)
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.05)  // most likely while select blocks; if not, it returns at once
            waker.wakeUp()
            waker.wakeUp()
            bothSent.signal()
        }
        thread.start()
        let woken = try sel.select(timeout: nil)
        #expect(woken.count == 1)  // the system reported the waker …
        bothSent.wait()
        #expect(woken.isEmpty)  // … which is nothing to handle: isEmpty agrees with iteration, and drains it as it does
        #expect(try sel.select(timeout: 0).count == 0)  // both wake-ups were drained: nothing is reported at all
        #expect(sel.getMap().count == 1)  // the waker is not a registration
    }

    @Test(arguments: Backend.allCases)
    func isEmptyAgreesWithIterationAboutStaleEvents(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pair = try Pair()
        try sel.register(pair.a, events: .read, data: "a")
        try pair.b.sendAll("x")
        let found = try sel.select(timeout: 0)
        #expect(found.count == 1 && !found.isEmpty)
        try sel.unregister(pair.a)
        #expect(found.isEmpty)  // the one event is for a key unregistered since: iteration skips it
        #expect(Array(found).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func pythonsErrors(backend: Backend) throws {
        let sel = try Selector<String>(backend)
        let pair = try Pair()
        try sel.register(pair.a, events: .read, data: "a")
        #expect(sel.getMap().keys.sorted() == [pair.a.fileno()])
        let twice = #expect(throws: SocketError.self) { try sel.register(pair.a, events: .write, data: "again") }
        #expect(twice?.description.contains("already registered") == true)
        let unknown = #expect(throws: SocketError.self) { try sel.unregister(pair.b) }
        #expect(unknown?.description.contains("not registered") == true)
        #expect(throws: SocketError.self) { try sel.modify(pair.b, events: .read) }
        #expect(throws: SocketError.self) { try sel.register(pair.b, events: [], data: "nothing") }
        #expect(sel.key(for: pair.b) == nil)

        // Unregistering a socket already closed still works, as in Python.
        pair.a.close()
        try sel.unregister(pair.a)
        #expect(sel.getMap().isEmpty)
        let closed = #expect(throws: SocketError.self) { try sel.register(pair.a, events: .read, data: "closed") }
        #expect(closed?.description.contains("closed") == true)
        sel.close()
        #expect(throws: SocketError.self) { try sel.select(timeout: 0) }
    }

    @Test func pollWatchesRegularFilesWhichEpollRefuses() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "selector-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("text".utf8)))
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { _ = close(fd) }

        let sel = try Selector<String>(.poll)
        try sel.register(fileDescriptor: fd, events: .read, data: "file")
        #expect(try ready(sel) == ["file": .read])
        try sel.unregister(fileDescriptor: fd)
        #expect(sel.getMap().isEmpty)

        #if os(Linux)
        let epoll = try Selector<String>(.epoll)
        let refused = #expect(throws: SocketError.self) {
            try epoll.register(fileDescriptor: fd, events: .read, data: "file")
        }
        #expect(refused?.description.contains("poll") == true)
        #endif
    }
}

/// A TCP connection over the loopback, on a port the system picks.
final class TCPPair {
    let client: Socket
    let server: Socket

    init() throws {
        let listener = try Socket.createServer(("127.0.0.1", 0))
        defer { listener.close() }
        client = try Socket.createConnection(("127.0.0.1", try listener.getSockName().port))
        (server, _) = try listener.accept()
        try server.setBlocking(false)
    }

    deinit {
        client.close()
        server.close()
    }
}
