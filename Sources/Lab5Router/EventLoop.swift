import DEVSKit
import FrameTypes
import Lab5Given
import Lab5Protocol
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
        // TODO step 5: accept every connection waiting, until accept says it would block (lab 4). Make each one
        //   non-blocking, with .noDelay (frames are small: send each at once), and register it for .read with a
        //   Connection that has its own receiver: Receiver(model, state: ReceiverState(reader: FrameReader(bodyLimit:
        //   settings.maxBody)), at: clock.now()). Log "connection from ADDRESS". Another error (out of descriptors,
        //   say): pauseAccepting(because:), and return.
        throw NotImplemented("step 5 — acceptWaiting: accept every waiting connection, each with its receiver model")
    }

    /// What the client sent goes to its receiver model, which outputs the frames it completes.
    private func receive(from conn: Connection) throws {
        // TODO step 5: recvInto `buffer` (would-block: return; another error: close the connection). The receiver
        //   gets .bytes of what came, or .eof when recv returned 0: `try conn.receiver.receive(input, at: clock.now(),
        //   trace: tracer(for: conn))` (an error there is an arrow your diagram lacks: close the connection); then
        //   handle(_:from:) what it output. At the end of the stream, if the connection is still open: close it.
        // TODO step 10: … unless it is still owed frames (its outbox is not empty): then finish it, so that it gets
        //   them first.
        throw NotImplemented("step 5 — receive: recv, and what came (or the end of the stream) to the receiver model")
    }

    /// Closes `conn` now, dropping whatever it was still owed.
    func close(_ conn: Connection, because reason: String) throws {
        // TODO step 5: only once (a closed connection stays closed): unregister the socket from the selector, close it,
        //   status .closed, updateDeadline(conn) so that the loop forgets it, and log "LABEL left: REASON".
        // TODO step 8: forget its name (forgetName(of:)), so that it is free again.
        throw NotImplemented("step 5 — close: unregister, close, and log who left")
    }

    // MARK: Frames in, frames out (steps 6–7)

    /// Acts on what one step of `conn`'s receiver (an input, or time passing) output.
    private func handle(_ outputs: [Timed<ReceiverOutput>], from conn: Connection) throws {
        // TODO step 6: each !frame → route(_:from:), as long as the connection is open (frames after a BYE or an error
        //   are not answered).
        // TODO step 11: !error(too-large) → ERROR too-large (conn.receiver.state.announcedLength says how large), then
        //   finish. (!error(truncated) needs nothing: it comes with the end of the stream, which receive handles.)
        // TODO step 12: !error(timeout) → ERROR timeout, then finish. After the outputs, always updateDeadline(conn): a
        //   frame may have begun or ended.
        notImplemented("step 6 — handle: route each frame the receiver model delivers")
    }

    /// Queues `message` for `conn`. A client whose queue grows past `--max-queue` reads too slowly to keep up: it is
    /// disconnected, so that it holds up nobody and the router's memory stays bounded.
    func send(_ message: Message, to conn: Connection) throws {
        // TODO step 6: nothing for a closed connection. Append the encoded frame (encode(message.frame)) to
        //   conn.outbox, and markUnflushed(conn): the loop sends it at the end of this turn.
        // TODO step 7: over settings.maxQueue bytes waiting, the client reads too slowly to keep up: close it instead
        //   (saying why), so that it holds up nobody and the router's memory stays bounded.
        throw NotImplemented("step 6 — send: queue a frame for a connection")
    }

    /// Sends what the socket takes now (given); what it does not stays queued until the selector says it is writable.
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
        // TODO step 7: the events this connection needs now — .read while it is open or lingering (not while
        //   closing: it reads no more), .write only while its outbox holds bytes — and selector.modify only when they
        //   differ from conn.events (then keep them there). An error: close the connection.
        notImplemented("step 7 — watch: .write while bytes wait, so that the rest goes out when the client reads again")
    }

    // MARK: Leaving politely (step 10)

    /// Ends `conn` in order: it reads no more, others can no longer send to it, and it is closed once what it is
    /// owed has been sent.
    func finish(_ conn: Connection, because reason: String) throws {
        // TODO step 10: only an open connection: status .closing, closed by now + settings.flushTime at the latest
        //   (conn.closeBy) however slowly it reads; forget its name; updateDeadline; markUnflushed (once its outbox
        //   is empty, the loop lingers).
        throw NotImplemented("step 10 — finish: read no more, send what is owed, then close")
    }

    /// Everything sent: end our side (the client reads end of file after the last frame) and keep reading a moment.
    /// Closing a socket with unread input makes the system send a reset, which can destroy the last frames before
    /// the client reads them — an ERROR `too-large` sent to a client still sending its oversized body, say.
    private func linger(_ conn: Connection, because reason: String) throws {
        // TODO step 10: shutdown(.write) (an error: close at once); status .lingering, closed by now +
        //   settings.linger at the latest; updateDeadline.
        throw NotImplemented("step 10 — linger: shut our side down, and read until the client closes")
    }

    // MARK: Timeouts (step 12)

    /// The deadline of `conn`'s receiver has come: time passes for the model, which takes its internal transition.
    private func expire(_ conn: Connection, at now: Duration) throws {
        // TODO step 12: advance the receiver to `now` (conn.receiver.advance(to:trace:); an error: close the
        //   connection), and handle what it output.
        throw NotImplemented("step 12 — expire: time passes for the receiver model, whose deadline has come")
    }
}
