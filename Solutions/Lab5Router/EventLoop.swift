import DEVSKit
import FrameKit
import Lab5ProtocolSolution
import SocketKit

/// The router's limits, and what it prints.
struct RouterSettings {
    var maxBody: Int
    var frameTimeout: Duration
    var maxQueue: Int
    var trace: Bool
    var quiet: Bool
    /// How long a connection being closed may take to send what it is owed: a client that said BYE and stopped
    /// reading must not hold its descriptor for ever.
    var flushTime: Duration = .seconds(10)
    /// How long a connection being closed keeps reading (and dropping) what its client still sends, so that the
    /// last frames it was sent reach it before the close (see `linger`).
    var linger: Duration = .seconds(2)
}

/// Lab 4's event loop, speaking frames: one thread, one selector, non-blocking sockets.
///
/// Bytes read from a client go into its receiver model; the frames the model delivers are routed (Routing.swift)
/// into the outboxes of their recipients, and every outbox is sent as its socket takes it. The select timeout is the
/// earliest deadline of all receivers, so a frame that stops halfway times out even when nothing else happens.
final class EventLoop {
    let listener: Socket
    let selector: Selector<Connection?>
    let model: ReceiverModel
    let settings: RouterSettings
    let clock = RealTimeClock()
    /// The logged-in clients, by name.
    var clients: [String: Connection] = [:]
    /// Connections with a deadline: a frame under way in their receiver, or a close lingering. Only these need
    /// looking at when the select times out.
    private var timed: [ObjectIdentifier: Connection] = [:]
    /// Connections given bytes to send (or a new status) since the last flush.
    private var unflushed: [Connection] = []
    /// While accepting fails (out of descriptors, say), the listener rests until this time or until a client leaves,
    /// instead of waking the loop again and again for a connection it cannot take.
    private var acceptResumesAt: Duration?
    /// One receive buffer for every connection.
    private var buffer = [UInt8](repeating: 0, count: 65536)

    init(listening listener: Socket, model: ReceiverModel, settings: RouterSettings) throws {
        self.listener = listener
        self.model = model
        self.settings = settings
        selector = try Selector()
        try selector.register(listener, events: .read)
    }

    /// Serves for ever. Throws only what is not one connection's problem (and, in the starter, "not implemented").
    func run() throws -> Never {
        while true {
            let wake = ([acceptResumesAt] + timed.values.map(deadline)).compactMap { $0 }.min()
            for (key, events) in try selector.select(timeout: clock.timeout(until: wake).map(seconds)) {
                guard let conn = key.data else {
                    acceptWaiting()
                    continue
                }
                if events.contains(.read) { try receive(from: conn) }
                if events.contains(.write) { flush(conn) }
            }
            try expireDeadlines()
            flushAll()
        }
    }

    // MARK: Accepting

    private func acceptWaiting() {
        while true {
            do {
                let (socket, address) = try listener.accept()
                try socket.setBlocking(false)
                try socket.setSockOpt(.noDelay, true)  // frames are small: send each at once
                let receiver = Receiver(model, state: ReceiverState(bodyLimit: settings.maxBody), at: clock.now())
                try selector.register(socket, events: .read, data: Connection(socket: socket, address: address, receiver: receiver))
                log("connection from \(address)")
            } catch let error as SocketError where error.isWouldBlock {
                return
            } catch {
                log("accept failed: \(error) — trying again in a moment")
                _ = try? selector.unregister(listener)
                acceptResumesAt = clock.now() + .milliseconds(100)
                return
            }
        }
    }

    private func resumeAccepting() {
        guard acceptResumesAt != nil else { return }
        acceptResumesAt = nil
        do { try selector.register(listener, events: .read) } catch { log("cannot watch the listening socket again: \(error)") }
    }

    // MARK: Receiving: the socket → the receiver model → routing

    private func receive(from conn: Connection) throws {
        let count: Int
        do {
            count = try buffer.withUnsafeMutableBytes { try conn.socket.recvInto($0) }
        } catch let error as SocketError where error.isWouldBlock {
            return
        } catch {
            return close(conn, because: "\(error)")
        }
        switch conn.status {
        case .open:
            let input = count == 0 ? ReceiverInput.eof : .bytes(Array(buffer[..<count]))
            let outputs: [Timed<ReceiverOutput>]
            do {
                outputs = try conn.receiver.receive(input, at: clock.now(), trace: tracer(for: conn))
            } catch {
                // A transition the diagram does not have: the model is wrong, not the client. End this connection only.
                return close(conn, because: "its receiver model stopped: \(error)")
            }
            try handle(outputs, from: conn)
            if count == 0 { finish(conn, because: "closed the connection") }
        case .lingering(let reason):
            if count == 0 { close(conn, because: reason) }  // what it sends now is dropped: it has been told to go
        case .closing, .closed:
            break
        }
    }

    /// Acts on what one step of `conn`'s receiver (an input, or time passing) output.
    private func handle(_ outputs: [Timed<ReceiverOutput>], from conn: Connection) throws {
        for output in outputs {
            guard conn.isOpen else { break }  // frames after a BYE or an error are not answered
            switch output.value {
            case .frame(let frame):
                try route(frame, from: conn)
            case .error(.tooLarge):
                let length = conn.receiver.state.announcedLength.map { "of \($0) bytes " } ?? ""
                try send(.error(code: .tooLarge, message: "a frame body \(length)is over the limit of \(settings.maxBody)"), to: conn)
                finish(conn, because: "sent a frame over the size limit")
            case .error(.timeout):
                try send(.error(code: .timeout, message: "a frame was not complete within \(Deadline.after(settings.frameTimeout))"), to: conn)
                finish(conn, because: "stopped in the middle of a frame")
            case .error(.truncated):
                finish(conn, because: "closed the connection in the middle of a frame")
            }
        }
        updateDeadline(conn)
    }

    /// The trace hook for `conn`'s receiver: with --trace, each transition is printed as it happens.
    private func tracer(for conn: Connection) -> (TraceEntry) -> Void {
        settings.trace ? { print("\($0)  \(conn.label)") } : { _ in }
    }

    // MARK: Deadlines

    /// When `conn` next needs the loop: its receiver's deadline while it reads, the end of its time to flush or
    /// to linger after.
    private func deadline(of conn: Connection) -> Duration? {
        switch conn.status {
        case .open: conn.receiver.nextEventTime
        case .closing, .lingering: conn.closeBy
        case .closed: nil
        }
    }

    private func updateDeadline(_ conn: Connection) {
        timed[ObjectIdentifier(conn)] = deadline(of: conn) == nil ? nil : conn
    }

    private func expireDeadlines() throws {
        let now = clock.now()
        if let resume = acceptResumesAt, resume <= now { resumeAccepting() }
        for conn in timed.values {
            guard let due = deadline(of: conn), due <= now else { continue }
            switch conn.status {
            case .closing(let reason), .lingering(let reason):
                close(conn, because: reason)
                continue
            case .open, .closed:
                break
            }
            let outputs: [Timed<ReceiverOutput>]
            do {
                outputs = try conn.receiver.advance(to: now, trace: tracer(for: conn))
            } catch {
                close(conn, because: "its receiver model stopped: \(error)")
                continue
            }
            try handle(outputs, from: conn)
        }
    }

    // MARK: Sending

    /// Queues `message` for `conn`. A client whose queue grows past `--max-queue` reads too slowly to keep up: it is
    /// disconnected, so that it holds up nobody and the router's memory stays bounded.
    func send(_ message: Message, to conn: Connection) throws {
        guard !conn.isClosed else { return }
        conn.outbox.append(try encode(message.frame))
        if conn.outbox.count > settings.maxQueue {
            return close(conn, because: "it reads too slowly: \(conn.outbox.count) bytes were waiting for it (--max-queue \(settings.maxQueue))")
        }
        markUnflushed(conn)
    }

    private func markUnflushed(_ conn: Connection) {
        guard !conn.awaitingFlush else { return }
        conn.awaitingFlush = true
        unflushed.append(conn)
    }

    private func flushAll() {
        let batch = unflushed
        unflushed.removeAll(keepingCapacity: true)
        for conn in batch {
            conn.awaitingFlush = false
            flush(conn)
        }
    }

    /// Sends what the socket takes now; what it does not stays queued until the selector says it is writable.
    private func flush(_ conn: Connection) {
        guard !conn.isClosed else { return }
        do {
            try conn.outbox.flush(to: conn.socket)
        } catch {
            return close(conn, because: "\(error)")
        }
        if case .closing(let reason) = conn.status, conn.outbox.isEmpty { linger(conn, because: reason) }
        guard !conn.isClosed else { return }
        watch(conn)
    }

    /// Watches for reading while the client may send (or while lingering), for writing only while bytes wait: an
    /// empty send buffer is writable all the time, and watching it would wake the loop for nothing.
    private func watch(_ conn: Connection) {
        var events: SelectorEvents = []
        switch conn.status {
        case .open, .lingering: events.insert(.read)
        case .closing, .closed: break
        }
        if !conn.outbox.isEmpty { events.insert(.write) }
        guard events != conn.events, !events.isEmpty else { return }
        do {
            try selector.modify(conn.socket, events: events)
            conn.events = events
        } catch {
            close(conn, because: "\(error)")
        }
    }

    // MARK: Ending connections

    /// Ends `conn` in order: it reads no more, others can no longer send to it, and it is closed once what it is
    /// owed has been sent.
    func finish(_ conn: Connection, because reason: String) {
        guard conn.isOpen else { return }
        conn.status = .closing(because: reason)
        conn.closeBy = clock.now() + settings.flushTime
        forgetName(of: conn)
        updateDeadline(conn)
        markUnflushed(conn)
    }

    /// Everything sent: end our side (the client reads end of file after the last frame) and keep reading a moment.
    /// Closing a socket with unread input makes the system send a reset, which can destroy the last frames before
    /// the client reads them — an ERROR `too-large` sent to a client still sending its oversized body, say.
    private func linger(_ conn: Connection, because reason: String) {
        do {
            try conn.socket.shutdown(.write)
        } catch {
            return close(conn, because: reason)
        }
        conn.status = .lingering(because: reason)
        conn.closeBy = clock.now() + settings.linger
        updateDeadline(conn)
    }

    /// Closes `conn` now, dropping whatever it was still owed.
    func close(_ conn: Connection, because reason: String) {
        guard !conn.isClosed else { return }
        _ = try? selector.unregister(conn.socket)
        conn.socket.close()
        conn.status = .closed
        forgetName(of: conn)
        timed[ObjectIdentifier(conn)] = nil
        log("\(conn.label) left: \(reason)")
        resumeAccepting()  // a descriptor is free again
    }

    private func forgetName(of conn: Connection) {
        if let name = conn.name, clients[name] === conn { clients[name] = nil }
    }

    func log(_ line: String) {
        if !settings.quiet { print(line) }
    }
}

/// A duration as the `Double` seconds `select` takes.
private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
