import LabSupport
import SocketKit

/// What the server keeps for one client: the lecture's `types.SimpleNamespace(addr=addr, inb=b"", outb=b"")`.
final class Connection {
    let sock: Socket
    let addr: SocketAddress
    /// Bytes received and not yet sent back, oldest first.
    var outb: [UInt8] = []
    /// The client has closed its side (recv returned nothing): send what is left, then close.
    var peerClosed = false

    init(sock: Socket, addr: SocketAddress) {
        self.sock = sock
        self.addr = addr
    }
}

/// The event loop: `select`, then accept or serve whatever is ready, for ever.
final class EchoLoop {
    /// Stop reading from a client once this much of its echo waits to be sent: a client that sends without
    /// reading must not make the server buffer without bound. Reading resumes as the backlog drains.
    static let maxPending = 1 << 20

    let lsock: Socket
    let sel: Selector<Connection?>
    let quiet: Bool
    let alwaysWritable: Bool
    /// One receive buffer for every connection: data only stays in a connection's `outb` if it cannot be sent at once.
    private var buffer = [UInt8](repeating: 0, count: 65536)
    /// Accepting stops while the process is out of descriptors.
    private var acceptPaused = false

    init(listening lsock: Socket, quiet: Bool, alwaysWritable: Bool) throws {
        self.lsock = lsock
        self.quiet = quiet
        self.alwaysWritable = alwaysWritable
        sel = try Selector()
        try sel.register(lsock, events: .read, data: nil)
    }

    func run() throws {
        // TODO step 1: for ever: for (key, mask) in try sel.select() — a key without data is the listening socket:
        //   acceptWaiting(); otherwise serviceConnection(key, conn, mask) with the key's Connection.
        throw NotImplemented("step 1 — the select loop")
    }

    /// Accepts every connection waiting (the listening socket is readable while any are).
    func acceptWaiting() throws {
        // TODO step 1: accept until it throws a would-block error (isWouldBlock): then return. Make each new socket
        //   non-blocking, register it for interest(for: conn) with a new Connection as its data, and unless quiet
        //   print "accepted connection from ADDR". Any other error: acceptFailed(error), and return.
        throw NotImplemented("step 1 — accept every waiting connection")
    }

    /// Accepting failed: a client gave up before we accepted it (the others go on), or no descriptor is left — then
    /// the waiting client stays queued and the listening socket stays readable, so stop watching it, or select
    /// would return at once, for ever, for a connection that cannot be accepted.
    func acceptFailed(_ error: any Error) {
        print("\(error)")
        // TODO step 4: out of descriptors (a SocketError whose isOutOfDescriptors is true): unregister lsock and set
        //   acceptPaused; resumeAccepting() registers it again once a connection has closed.
    }

    /// A connection has closed, so a descriptor is free: watch the listening socket again, if accepting was paused.
    func resumeAccepting() {
        // TODO step 4: if acceptPaused, register lsock for .read again (data: nil); acceptPaused stays true only if
        //   that failed.
    }

    /// Reads what the client sent and echoes it; stops reading while too much is waiting; closes when done.
    func serviceConnection(_ key: SelectorKey<Connection?>, _ conn: Connection, _ mask: SelectorEvents) throws {
        // TODO step 2: on .read, receive(conn); any error closes this connection (close(conn, because:)), never
        //   the server. When interest(for: conn) is empty, the connection is done: close it.
        // TODO step 3: on .write with bytes waiting, sendPending(conn); when interest(for: conn) differs from
        //   key.events, sel.modify(key, events: …).
        throw NotImplemented("step 2 — serve a ready connection")
    }

    func receive(_ conn: Connection) throws {
        // TODO step 2: recvInto(&buffer); 0 bytes means the client closed its side (peerClosed). Otherwise, if nothing
        //   is waiting, send buffer[..<n] at once with sendNow and keep in conn.outb what it did not take; if bytes are
        //   waiting already, append behind them.
        throw NotImplemented("step 2 — receive and echo")
    }

    func sendPending(_ conn: Connection) throws {
        // TODO step 3: sendNow as much of conn.outb as the socket takes, and drop what was sent from its front.
        throw NotImplemented("step 3 — send what is waiting")
    }

    /// Sends what the socket takes right now: 0 if its buffer is full.
    func sendNow(_ sock: Socket, _ bytes: some Collection<UInt8>) throws -> Int {
        do {
            return try sock.send(bytes)
        } catch let error as SocketError where error.isWouldBlock {
            return 0
        }
    }

    /// What to watch a connection for; nothing left to watch for means the connection is done.
    func interest(for conn: Connection) -> SelectorEvents {
        // Given for step 2: .read until the client has closed its side, and nothing once it has.
        // TODO step 3: .write only while conn.outb has bytes (or, with alwaysWritable, while the client is
        //   connected: the lecture's way, to measure it); no .read while outb holds maxPending bytes or more.
        conn.peerClosed ? [] : .read
    }

    func close(_ conn: Connection, because failure: String?) {
        // TODO step 2: unregister the socket (before closing it), close it, and unless quiet print
        //   "closing connection to ADDR" (with ": failure" when there is one).
        notImplemented("step 2 — close a connection")
        resumeAccepting()  // given: a descriptor is free again (step 4)
    }
}
