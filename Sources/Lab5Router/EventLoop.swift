import DEVSKit
import FrameKit
import Lab5Protocol
import LabSupport
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
    /// One receive buffer for every connection.
    private var buffer = [UInt8](repeating: 0, count: 65536)

    init(listening listener: Socket, model: ReceiverModel, settings: RouterSettings) throws {
        self.listener = listener
        self.model = model
        self.settings = settings
        selector = try Selector()
        try selector.register(listener, events: .read)
    }

    /// Serves for ever. Throws only what is not one connection's problem (and "not implemented").
    func run() throws -> Never {
        // TODO step 3: lab 4's loop — for (key, events) in try selector.select(timeout: ...): the listener (key.data
        //   is nil) → acceptWaiting(); a connection → receive(from:) when readable, flush(_:) when writable. After
        //   the events: flushAll().
        // TODO step 6: select's timeout is the time until the earliest deadline of `timed` (clock.timeout(until:),
        //   in seconds); after the events, expireDeadlines().
        throw NotImplemented("step 3 — the event loop: select, accept, receive, flush")
    }

    // MARK: Accepting

    private func acceptWaiting() {
        // TODO step 3: accept every connection waiting (until would-block), each non-blocking with .noDelay, and
        //   registered for .read with a Connection holding a fresh Receiver(model, state:
        //   ReceiverState(bodyLimit: settings.maxBody), at: clock.now()). Print "connection from ADDRESS" (log).
    }

    // MARK: Receiving: the socket → the receiver model → routing

    private func receive(from conn: Connection) throws {
        // TODO step 3: recv into `buffer` (would-block: return; another error: close the connection). While open,
        //   give the receiver ?bytes, or ?eof when recv returned 0 — then finish the connection.
        // TODO step 4: while lingering, drop what arrives; close at end of file.
    }

    /// Acts on what one step of `conn`'s receiver (an input, or time passing) output.
    private func handle(_ outputs: [Timed<ReceiverOutput>], from conn: Connection) throws {
        // TODO step 3: !frame → route(_:from:), as long as the connection is open (frames after a BYE are ignored).
        // TODO step 5: !error(too-large) → ERROR too-large, then finish; !error(truncated) → finish.
        // TODO step 6: !error(timeout) → ERROR timeout, then finish. Then updateDeadline(conn).
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
        // TODO step 6: for every connection in `timed` whose deadline has passed: a closing or lingering one is
        //   closed, an open one's receiver is advanced to now (receiver.advance(to:trace:)) and its outputs handled.
    }

    // MARK: Sending

    /// Queues `message` for `conn`. A client whose queue grows past `--max-queue` reads too slowly to keep up: it is
    /// disconnected, so that it holds up nobody and the router's memory stays bounded.
    func send(_ message: Message, to conn: Connection) throws {
        // TODO step 3: append the encoded frame to conn.outbox and mark the connection unflushed.
        // TODO step 4: over settings.maxQueue bytes waiting: close the connection instead.
        throw NotImplemented("step 3 — send: queue a frame for a connection")
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
        // TODO step 3: conn.outbox.flush(to: conn.socket) (an error: close the connection); then watch(conn).
        // TODO step 4: a closing connection whose outbox is empty lingers.
    }

    /// Watches for reading while the client may send (or while lingering), for writing only while bytes wait: an
    /// empty send buffer is writable all the time, and watching it would wake the loop for nothing.
    private func watch(_ conn: Connection) {
        // TODO step 3: the events this connection needs now; selector.modify only when they differ from conn.events.
    }

    // MARK: Ending connections

    /// Ends `conn` in order: it reads no more, others can no longer send to it, and it is closed once what it is
    /// owed has been sent.
    func finish(_ conn: Connection, because reason: String) {
        // TODO step 4: status .closing, to be closed by now + settings.flushTime (conn.closeBy); forget its name;
        //   updateDeadline; mark it unflushed (flush makes it linger once its outbox is empty).
    }

    /// Everything sent: end our side (the client reads end of file after the last frame) and keep reading a moment.
    /// Closing a socket with unread input makes the system send a reset, which can destroy the last frames before
    /// the client reads them — an ERROR `too-large` sent to a client still sending its oversized body, say.
    private func linger(_ conn: Connection, because reason: String) {
        // TODO step 4: shutdown(.write); status .lingering, closed by now + settings.linger; updateDeadline.
    }

    /// Closes `conn` now, dropping whatever it was still owed.
    func close(_ conn: Connection, because reason: String) {
        // TODO step 3: unregister, close the socket, status .closed, forget its name and its deadline, and log
        //   "LABEL left: REASON".
    }

    func log(_ line: String) {
        if !settings.quiet { print(line) }
    }
}
