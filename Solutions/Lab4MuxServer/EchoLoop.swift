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
        while true {
            for (key, mask) in try sel.select() {
                if let conn = key.data {
                    try serviceConnection(key, conn, mask)
                } else {
                    try acceptWaiting()
                }
            }
        }
    }

    /// Accepts every connection waiting (the listening socket is readable while any are).
    func acceptWaiting() throws {
        while true {
            do {
                let (sock, addr) = try lsock.accept()
                try sock.setBlocking(false)
                let conn = Connection(sock: sock, addr: addr)
                try sel.register(sock, events: interest(for: conn), data: conn)
                if !quiet { print("accepted connection from \(addr)") }
            } catch let error as SocketError where error.isWouldBlock {
                return
            } catch {
                return acceptFailed(error)
            }
        }
    }

    /// Accepting failed: a client gave up before we accepted it (the others go on), or no descriptor is left — then
    /// the waiting client stays queued and the listening socket stays readable, so stop watching it, or select
    /// would return at once, for ever, for a connection that cannot be accepted.
    func acceptFailed(_ error: any Error) {
        print("\(error)")
        if let error = error as? SocketError, error.isOutOfDescriptors {
            try? sel.unregister(lsock)
            acceptPaused = true
        }
    }

    /// A connection has closed, so a descriptor is free: watch the listening socket again, if accepting was paused.
    func resumeAccepting() {
        guard acceptPaused else { return }
        acceptPaused = (try? sel.register(lsock, events: .read, data: nil)) == nil
    }

    /// Reads what the client sent and echoes it; stops reading while too much is waiting; closes when done.
    func serviceConnection(_ key: SelectorKey<Connection?>, _ conn: Connection, _ mask: SelectorEvents) throws {
        do {
            if mask.contains(.read) { try receive(conn) }
            if mask.contains(.write) && !conn.outb.isEmpty { try sendPending(conn) }
        } catch {
            return close(conn, because: "\(error)")
        }
        let wanted = interest(for: conn)
        if wanted.isEmpty { return close(conn, because: nil) }
        if wanted != key.events {
            do { try sel.modify(key, events: wanted) } catch { close(conn, because: "\(error)") }
        }
    }

    func receive(_ conn: Connection) throws {
        let count = try conn.sock.recvInto(&buffer)
        guard count > 0 else {
            conn.peerClosed = true
            return
        }
        if conn.outb.isEmpty {
            // The common case: echo straight from the shared buffer, keeping only what the socket did not take.
            let sent = try sendNow(conn.sock, buffer[..<count])
            conn.outb += buffer[sent..<count]
        } else {
            conn.outb += buffer[..<count]  // behind the bytes already waiting: order is everything
        }
    }

    func sendPending(_ conn: Connection) throws {
        let sent = try sendNow(conn.sock, conn.outb)
        conn.outb.removeFirst(sent)
    }

    /// Sends what the socket takes right now: 0 if its buffer is full.
    func sendNow(_ sock: Socket, _ bytes: some Collection<UInt8>) throws -> Int {
        do {
            return try sock.send(bytes)
        } catch let error as SocketError where error.isWouldBlock {
            return 0
        }
    }

    /// What to watch a connection for: writes only while there are bytes to send (an empty send buffer is
    /// writable all the time, and watching for that makes select return at once, for ever); reads until the
    /// client closes, paused while too much is waiting. Nothing left to watch for means the connection is done.
    func interest(for conn: Connection) -> SelectorEvents {
        var events: SelectorEvents = []
        if !conn.peerClosed && conn.outb.count < Self.maxPending { events.insert(.read) }
        if !conn.outb.isEmpty || (alwaysWritable && !conn.peerClosed) { events.insert(.write) }
        return events
    }

    func close(_ conn: Connection, because failure: String?) {
        try? sel.unregister(conn.sock)
        conn.sock.close()
        if !quiet { print("closing connection to \(conn.addr)" + (failure.map { ": \($0)" } ?? "")) }
        resumeAccepting()
    }
}
