import DEVSKit
import FrameTypes
import Lab5Given
import Lab5ProtocolSolution
import LabSupport
import SocketKit

/// Lab 4's event loop, speaking frames: one thread, one selector, non-blocking sockets.
///
/// Bytes read from a client go into its receiver model; the frames the model delivers are routed (Routing.swift)
/// into the outboxes of their recipients, and every outbox is sent as its socket takes it. The select timeout is the
/// earliest deadline of all connections, so a frame that stops halfway times out even when nothing else happens.
///
/// The loop itself (`run`) and its bookkeeping are given; what it does with each event is yours, step by step.
final class EventLoop {
    let listener: Socket
    let selector: Selector<Connection?>
    let model: ReceiverModel
    let settings: RouterSettings
    let clock = RealTimeClock()
    /// The logged-in clients, by name.
    var clients: [String: Connection] = [:]
    /// Connections with a deadline: a frame under way in their receiver, or a close in progress. Only these need
    /// looking at when the select times out.
    private var timed: [ObjectIdentifier: Connection] = [:]
    /// Connections given bytes to send (or a new status) since the last flush.
    private var unflushed: [Connection] = []
    /// While accepting fails (out of descriptors, say), the listener rests until this time, instead of waking the
    /// loop again and again for a connection it cannot take.
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

    // MARK: The loop (given)

    /// Serves for ever. Throws only what is not one connection's problem (and "not implemented").
    func run() throws -> Never {
        while true {
            // Sleep until something happens, or until the earliest deadline: a frame that has taken too long.
            let wake = nextDeadline()
            for (key, events) in try selector.select(timeout: clock.timeout(until: wake).map { $0 / .seconds(1) }) {
                guard let conn = key.data else {
                    try acceptWaiting()
                    continue
                }
                if events.contains(.read) { try readable(conn) }
                if events.contains(.write) { markUnflushed(conn) }
            }
            if let wake, wake <= clock.now() { try expireDeadlines() }
            try flushAll()
        }
    }

    /// An open connection's bytes go to its receiver (`receive(from:)`); a lingering one's are dropped.
    private func readable(_ conn: Connection) throws {
        switch conn.status {
        case .open: try receive(from: conn)
        case .lingering(let reason): try drain(conn, because: reason)
        case .closing, .closed: break
        }
    }

    /// While lingering, what the client still sends is read and dropped (it has been told to go) until it closes.
    private func drain(_ conn: Connection, because reason: String) throws {
        let count: Int
        do {
            count = try buffer.withUnsafeMutableBytes { try conn.socket.recvInto($0) }
        } catch let error as SocketError where error.isWouldBlock {
            return
        } catch {
            return try close(conn, because: reason)
        }
        if count == 0 { try close(conn, because: reason) }
    }

    private func markUnflushed(_ conn: Connection) {
        guard !conn.awaitingFlush else { return }
        conn.awaitingFlush = true
        unflushed.append(conn)
    }

    /// Once per turn of the loop, every connection given bytes since: sent what its socket takes (`flush`), closed
    /// politely once all is sent after a `finish` (`linger`), and watched for what it now needs (`watch`).
    private func flushAll() throws {
        let batch = unflushed
        unflushed.removeAll(keepingCapacity: true)
        for conn in batch {
            conn.awaitingFlush = false
            guard !conn.isClosed else { continue }
            try flush(conn)
            if case .closing(let reason) = conn.status, conn.outbox.isEmpty { try linger(conn, because: reason) }
            if !conn.isClosed { try watch(conn) }
        }
    }

    /// The trace hook for `conn`'s receiver: with --trace, each transition is printed as it happens.
    private func tracer(for conn: Connection) -> (TraceEntry) -> Void {
        settings.trace ? { print("\($0)  \(conn.label)") } : { _ in }
    }

    // MARK: Deadlines (given)

    /// When `conn` next needs the loop: its receiver's deadline while it reads, the end of its time to flush or
    /// to linger after.
    private func deadline(of conn: Connection) -> Duration? {
        switch conn.status {
        case .open: conn.receiver.nextEventTime
        case .closing, .lingering: conn.closeBy
        case .closed: nil
        }
    }

    /// Keeps `timed` up to date: call it whenever a connection's receiver or status may have changed.
    private func updateDeadline(_ conn: Connection) {
        timed[ObjectIdentifier(conn)] = deadline(of: conn) == nil ? nil : conn
    }

    /// The earliest deadline of all: select's timeout.
    private func nextDeadline() -> Duration? {
        ([acceptResumesAt] + timed.values.map(deadline)).compactMap { $0 }.min()
    }

    /// Whatever is due: a connection on its way out whose time is up is closed (it had its chance to take what it
    /// was owed); an open one's receiver has a frame that is late (`expire`).
    private func expireDeadlines() throws {
        let now = clock.now()
        if let resume = acceptResumesAt, resume <= now { resumeAccepting() }
        for conn in timed.values {
            guard let due = deadline(of: conn), due <= now else { continue }
            switch conn.status {
            case .closing(let reason), .lingering(let reason): try close(conn, because: reason)
            case .open: try expire(conn, at: now)
            case .closed: break
            }
        }
    }

    // MARK: Accepting (given helpers)

    /// Stops watching the listener for a moment: accepting failed (out of descriptors, say), and select would
    /// otherwise wake the loop again at once for a connection it still cannot take.
    private func pauseAccepting(because error: any Error) {
        log("accept failed: \(error) — trying again in a moment")
        try? selector.unregister(listener)
        acceptResumesAt = clock.now() + .milliseconds(100)
    }

    private func resumeAccepting() {
        acceptResumesAt = nil
        do { try selector.register(listener, events: .read) } catch {
            log("cannot watch the listening socket again: \(error)")
        }
    }

    private func forgetName(of conn: Connection) {
        if let name = conn.name, clients[name] === conn { clients[name] = nil }
    }

    func log(_ line: String) {
        if !settings.quiet { print(line) }
    }

    // MARK: Accepting, receiving, closing (step 5)

    /// Accepts every connection waiting: each gets its own receiver model.
    private func acceptWaiting() throws {
        while true {
            do {
                let (socket, address) = try listener.accept()
                try socket.setBlocking(false)
                try socket.setSockOpt(.noDelay, true)  // frames are small: send each at once
                let state = ReceiverState(reader: FrameReader(bodyLimit: settings.maxBody))
                let receiver = Receiver(model, state: state, at: clock.now())
                try selector.register(
                    socket,
                    events: .read,
                    data: Connection(socket: socket, address: address, receiver: receiver)
                )
                log("connection from \(address)")
            } catch let error as SocketError where error.isWouldBlock {
                return
            } catch {
                return pauseAccepting(because: error)
            }
        }
    }

    /// What the client sent goes to its receiver model, which outputs the frames it completes.
    private func receive(from conn: Connection) throws {
        let count: Int
        do {
            count = try buffer.withUnsafeMutableBytes { try conn.socket.recvInto($0) }
        } catch let error as SocketError where error.isWouldBlock {
            return
        } catch {
            return try close(conn, because: "\(error)")
        }
        let input = count == 0 ? ReceiverInput.eof : .bytes(Array(buffer[..<count]))
        let outputs: [Timed<ReceiverOutput>]
        do {
            outputs = try conn.receiver.receive(input, at: clock.now(), trace: tracer(for: conn))
        } catch {
            // A transition the diagram does not have: the model is wrong, not the client. End this connection only.
            return try close(conn, because: "its receiver model stopped: \(error)")
        }
        try handle(outputs, from: conn)
        if count == 0, conn.isOpen {
            // The client has closed its side: close ours now, or once it has been sent what it is owed.
            if conn.outbox.isEmpty {
                try close(conn, because: "closed the connection")
            } else {
                try finish(conn, because: "closed the connection")
            }
        }
    }

    /// Closes `conn` now, dropping whatever it was still owed.
    func close(_ conn: Connection, because reason: String) throws {
        guard !conn.isClosed else { return }
        try? selector.unregister(conn.socket)
        conn.socket.close()
        conn.status = .closed
        updateDeadline(conn)
        forgetName(of: conn)
        log("\(conn.label) left: \(reason)")
    }

    // MARK: Frames in, frames out (steps 6–7)

    /// Acts on what one step of `conn`'s receiver (an input, or time passing) output.
    private func handle(_ outputs: [Timed<ReceiverOutput>], from conn: Connection) throws {
        for output in outputs {
            guard conn.isOpen else { break }  // frames after a BYE or an error are not answered
            switch output.value {
            case .frame(let frame):
                try route(frame, from: conn)
            case .error(.tooLarge):
                let length = conn.receiver.state.announcedLength.map { "of \($0) bytes " } ?? ""
                try send(
                    .error(code: .tooLarge, message: "a frame body \(length)is over the limit of \(settings.maxBody)"),
                    to: conn
                )
                try finish(conn, because: "sent a frame over the size limit")
            case .error(.truncated):
                break  // the end of the stream, in the middle of a frame: receive(from:) ends the connection
            case .error(.timeout):
                try send(
                    .error(
                        code: .timeout,
                        message: "a frame was not complete within \(Deadline.after(settings.frameTimeout))"
                    ),
                    to: conn
                )
                try finish(conn, because: "stopped in the middle of a frame")
            }
        }
        updateDeadline(conn)
    }

    /// Queues `message` for `conn`. A client whose queue grows past `--max-queue` reads too slowly to keep up: it is
    /// disconnected, so that it holds up nobody and the router's memory stays bounded.
    func send(_ message: Message, to conn: Connection) throws {
        guard !conn.isClosed else { return }
        conn.outbox.append(try encode(message.frame))
        if conn.outbox.count > settings.maxQueue {
            return try close(
                conn,
                because:
                    "it reads too slowly: \(conn.outbox.count) bytes were waiting for it (--max-queue \(settings.maxQueue))"
            )
        }
        markUnflushed(conn)
    }

    /// Sends what the socket takes now; what it does not stays queued until the selector says it is writable.
    private func flush(_ conn: Connection) throws {
        do {
            try conn.outbox.flush(to: conn.socket)
        } catch {
            try close(conn, because: "\(error)")
        }
    }

    /// Watches for reading while the client may send (or while lingering), for writing only while bytes wait: an
    /// empty send buffer is writable all the time, and watching it would wake the loop for nothing.
    private func watch(_ conn: Connection) throws {
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
            try close(conn, because: "\(error)")
        }
    }

    // MARK: Leaving politely (step 10)

    /// Ends `conn` in order: it reads no more, others can no longer send to it, and it is closed once what it is
    /// owed has been sent.
    func finish(_ conn: Connection, because reason: String) throws {
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
    private func linger(_ conn: Connection, because reason: String) throws {
        do {
            try conn.socket.shutdown(.write)
        } catch {
            return try close(conn, because: reason)
        }
        conn.status = .lingering(because: reason)
        conn.closeBy = clock.now() + settings.linger
        updateDeadline(conn)
    }

    // MARK: Timeouts (step 12)

    /// The deadline of `conn`'s receiver has come: time passes for the model, which takes its internal transition.
    private func expire(_ conn: Connection, at now: Duration) throws {
        let outputs: [Timed<ReceiverOutput>]
        do {
            outputs = try conn.receiver.advance(to: now, trace: tracer(for: conn))
        } catch {
            return try close(conn, because: "its receiver model stopped: \(error)")
        }
        try handle(outputs, from: conn)
    }
}
