import Foundation
import SocketKit
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct StreamTests {
    @Test(arguments: ["127.0.0.1", "::1"])
    func echoesOverBothIPFamilies(host: String) throws {
        let (server, client, listener) = try connectedPair(host)
        defer { for socket in [server, client, listener] { socket.close() } }
        #expect(try client.getPeerName() == listener.getSockName())
        #expect(try server.getPeerName() == client.getSockName())
        try client.sendAll("Hello, world")
        #expect(try server.recv(1024) == Array("Hello, world".utf8))
    }

    @Test func pythonStyleServerLifecycle() throws {
        let s = try Socket(.inet, .stream)
        defer { s.close() }
        try s.setSockOpt(.reuseAddress, true)
        #expect(try s.getSockOpt(.reuseAddress))
        try s.bind(("127.0.0.1", 0))
        try s.listen()
        let port = try s.getSockName().port
        #expect(port > 0)
        let client = try Socket()
        defer { client.close() }
        try client.connect(("localhost", port))
        let (conn, addr) = try s.accept()
        defer { conn.close() }
        #expect(addr == (try client.getSockName()))
    }

    @Test func recvReturnsEmptyAtEndOfFile() throws {
        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }
        try client.sendAll("last words")
        try client.shutdown(.write)
        #expect(try readAll(server) == Array("last words".utf8))
        #expect(try server.recv(10) == [])
        // Half-closed: the other direction still works.
        try server.sendAll("still here")
        #expect(try client.recv(100) == Array("still here".utf8))
    }

    @Test func sendMayBePartialButSendAllSendsEverything() throws {
        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }
        let big = patterned(8 << 20)

        // Nobody reads yet: a non-blocking send takes what fits in the buffers and says how much.
        try client.setBlocking(false)
        let first = try client.send(big)
        #expect(first > 0 && first < big.count)
        let full = #expect(throws: SocketError.self) { try client.send(big[first...]) }
        #expect(full?.isWouldBlock == true)

        // sendAll on a blocking socket gets every byte through while the other side reads.
        try client.setBlocking(true)
        let reader = inBackground { try readAll(server) }
        try client.sendAll(big[first...])
        try client.shutdown(.write)
        #expect(try reader() == big)
    }

    @Test func refusedConnectionSaysIsTheServerRunning() throws {
        let port = try closedPort()
        let error = #expect(throws: SocketError.self) { try Socket().connect(("127.0.0.1", port)) }
        #expect(error?.isConnectionRefused == true)
        #expect(
            error?.description == "connect to 127.0.0.1:\(port) failed: connection refused — is the server running?"
        )
    }

    @Test func connectExReportsInsteadOfThrowing() throws {
        let listener = try Socket.createServer(("127.0.0.1", 0))
        defer { listener.close() }
        let client = try Socket()
        defer { client.close() }
        try client.setBlocking(false)
        let code = try client.connectEx(("127.0.0.1", listener.getSockName().port))
        #expect(code == 0 || code == EINPROGRESS)
        #expect(try Socket().connectEx(("127.0.0.1", closedPort())) == ECONNREFUSED)
    }

    @Test func addressInUseIsExplained() throws {
        let taken = try Socket.createServer(("127.0.0.1", 0))
        defer { taken.close() }
        let error = #expect(throws: SocketError.self) {
            try Socket().bind(("127.0.0.1", taken.getSockName().port))
        }
        #expect(error?.description.contains("address already in use — another program") == true)
    }

    /// A Unix socket's address is a file: a path already taken, or one with no socket, says so in a file's words.
    @Test func aUnixPathInUseOrMissingIsExplained() throws {
        let path = NSTemporaryDirectory() + "in-use-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let taken = try Socket(.unix, .stream)
        defer { taken.close() }
        try taken.bind(path)
        let inUse = #expect(throws: SocketError.self) { try Socket(.unix, .stream).bind(path) }
        #expect(inUse?.description.contains("a file is at that path already") == true, "\(String(describing: inUse))")
        let missing = #expect(throws: SocketError.self) { try Socket(.unix, .stream).connect(path + "-none") }
        #expect(missing?.description.contains("no socket at that path") == true, "\(String(describing: missing))")
    }

    @Test func timeoutsAndNonBlockingMode() throws {
        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }
        try server.setTimeout(0.1)
        #expect(server.getTimeout() == 0.1)
        let started = ContinuousClock.now
        let timedOut = #expect(throws: SocketError.self) { try server.recv(10) }
        #expect(timedOut?.isTimeout == true)
        #expect(ContinuousClock.now - started >= .milliseconds(100))

        try server.setBlocking(false)
        #expect(!server.getBlocking())
        let wouldBlock = #expect(throws: SocketError.self) { try server.recv(10) }
        #expect(wouldBlock?.isWouldBlock == true)

        #expect(throws: SocketError.self) { try server.setTimeout(-1) }
        try server.setTimeout(nil)
        #expect(server.getBlocking())
    }

    @Test func acceptWithTimeout() throws {
        let listener = try Socket.createServer(("127.0.0.1", 0))
        defer { listener.close() }
        try listener.setTimeout(0.05)
        let error = #expect(throws: SocketError.self) { try listener.accept() }
        #expect(error?.isTimeout == true)
    }

    @Test func closeIsIdempotentAndUseAfterCloseIsExplained() throws {
        let socket = try Socket()
        #expect(socket.fileno() >= 0)
        socket.close()
        socket.close()
        #expect(socket.fileno() == -1)
        let error = #expect(throws: SocketError.self) { try socket.send("x") }
        #expect(error?.description.contains("the socket was already closed") == true)
    }

    @Test func unixStreamSockets() throws {
        let path = NSTemporaryDirectory() + "socketkit-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let listener = try Socket(.unix, .stream)
        defer { listener.close() }
        try listener.bind(path)
        try listener.listen()
        #expect(try listener.getSockName().description == path)
        let client = try Socket(.unix, .stream)
        defer { client.close() }
        try client.connect(path)
        let (server, _) = try listener.accept()
        defer { server.close() }
        try client.sendAll("over a file path")
        #expect(try server.recv(100) == Array("over a file path".utf8))
    }

    @Test func socketPairTalks() throws {
        let (a, b) = try Socket.socketPair()
        defer {
            a.close()
            b.close()
        }
        try a.sendAll([1, 2, 3])
        #expect(try b.recv(3) == [1, 2, 3])
    }

    /// A peer that resets the connection in the middle of a transfer: the sender gets an error it can handle —
    /// not SIGPIPE, which would kill this whole test process.
    @Test func peerResetMidTransferIsAnErrorNotASignal() throws {
        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }
        try server.sendAll(patterned(1000))
        try client.setSockOpt(.linger, 0)
        client.close()  // with linger 0: a reset, not an orderly end of file
        let error = #expect(throws: SocketError.self) {
            for _ in 0..<100 { try server.sendAll(patterned(1 << 20)) }
        }
        #expect(error?.isPeerGone == true)
    }

    @Test func recvAfterAResetSaysSo() throws {
        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }
        try client.setSockOpt(.linger, 0)
        client.close()
        let error = #expect(throws: SocketError.self) { try server.recv(10) }
        #expect(error?.isPeerGone == true)
        #expect(error?.description.contains("the peer reset the connection") == true)
    }

    /// A signal arriving while recv waits interrupts the system call (EINTR); SocketKit must retry it, so the
    /// caller still gets the data.
    @Test func interruptedRecvIsRetried() throws {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in }
        #else
        action.__sigaction_u.__sa_handler = { _ in }
        #endif
        action.sa_flags = 0  // no SA_RESTART: the kernel returns EINTR
        sigaction(SIGUSR1, &action, nil)

        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }
        try server.setTimeout(nil)
        let thread = Mutex<pthread_t?>(nil)
        let received = inBackground { () throws -> [UInt8] in
            thread.withLock { $0 = pthread_self() }
            return try server.recv(100)
        }
        while thread.withLock({ $0 }) == nil { usleep(1000) }
        usleep(50_000)  // let it block in recv
        pthread_kill(thread.withLock { $0! }, SIGUSR1)
        usleep(50_000)
        try client.sendAll("after the signal")
        #expect(try received() == Array("after the signal".utf8))
    }
}
