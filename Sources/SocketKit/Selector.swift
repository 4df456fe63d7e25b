#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Python's `selectors.EVENT_READ` and `selectors.EVENT_WRITE`: what a registered socket is watched for, and what
/// `select` says it is ready for. End of file and a hang-up count as readable (a recv then returns `[]` or throws).
public struct SelectorEvents: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = SelectorEvents(rawValue: 1)
    public static let write = SelectorEvents(rawValue: 2)

    public var description: String {
        "[" + [(Self.read, ".read"), (Self.write, ".write")].filter { contains($0.0) }.map(\.1).joined(separator: ", ")
            + "]"
    }
}

/// Python's `SelectorKey`: one registration. `data` is yours — the lecture keeps a connection's state there.
public final class SelectorKey<Data> {
    /// Python's `key.fileobj`; nil for a descriptor registered by number (`register(fileDescriptor:)`).
    public let socket: Socket?
    /// Python's `key.fd`.
    public let fd: Int32
    /// Python's `key.events`: what the socket is watched for (change it with `modify`).
    public internal(set) var events: SelectorEvents
    /// Tells this registration apart from a later one of the same descriptor number (after close and accept).
    let serial: UInt32
    /// Python's `key.data`.
    public var data: Data

    init(socket: Socket?, fd: Int32, events: SelectorEvents, data: Data, serial: UInt32) {
        self.socket = socket
        self.fd = fd
        self.events = events
        self.serial = serial
        self.data = data
    }
}

/// Python's `selectors` module: one thread watches many sockets and learns which are ready to read or write.
///
///     let sel = try Selector<Connection?>()            # sel = selectors.DefaultSelector()
///     try sel.register(lsock, events: .read, data: nil) # sel.register(lsock, selectors.EVENT_READ, data=None)
///     for (key, mask) in try sel.select() {            # for key, mask in sel.select(timeout=None):
///         if let conn = key.data { … } else { … }      #     if key.data is None: …
///     }
///
/// `Data` is whatever you attach to a registration (`Connection?` above: nil for the listening socket).
/// The back-end is the best the system has: epoll on Linux, kqueue on macOS. `.poll` works on both, for descriptors
/// epoll refuses (a regular file as standard input). A selector belongs to one thread; `makeWaker()` gives other
/// threads a way to interrupt its `select`.
public final class Selector<Data> {
    public enum Backend: Sendable, CaseIterable, CustomStringConvertible {
        #if os(Linux)
        case epoll
        #elseif canImport(Darwin)
        case kqueue
        #endif
        case poll

        /// Python's `DefaultSelector`: the best the system has.
        public static var `default`: Backend {
            #if os(Linux)
            .epoll
            #elseif canImport(Darwin)
            .kqueue
            #else
            .poll
            #endif
        }

        public var description: String {
            switch self {
            #if os(Linux)
            case .epoll: "epoll"
            #elseif canImport(Darwin)
            case .kqueue: "kqueue"
            #endif
            case .poll: "poll"
            }
        }
    }

    public let backend: Backend
    private let base: any SelectorBackend
    private var keys: [Int32: SelectorKey<Data>] = [:]
    /// The same keys by descriptor number, for the lookup on every event: an array needs no hashing, and holding
    /// the keys as AnyObject keeps that path free of (slow, unspecialised) generic code.
    private var byDescriptor: [AnyObject?] = []
    private var lastSerial: UInt32 = 0
    /// Bumped by every select, so that the events of an earlier one are never handed out again.
    private var generation = 0
    private var wakeReceiver: Socket?
    private var closed = false

    /// Registrations of the waker use this serial, which no key ever gets.
    static var wakerSerial: UInt32 { 0 }

    public init(_ backend: Backend = .default) throws {
        self.backend = backend
        switch backend {
        #if os(Linux)
        case .epoll: base = try EpollBackend()
        #elseif canImport(Darwin)
        case .kqueue: base = try KqueueBackend()
        #endif
        case .poll: base = PollBackend()
        }
    }

    deinit {
        close()
    }

    // MARK: Registering

    /// `register(fileobj, events, data)`: watch `socket` for `events` from now on. Registering a socket twice is an
    /// error (use `modify`), as is registering a closed socket or no events at all.
    @discardableResult
    public func register(_ socket: Socket, events: SelectorEvents, data: Data) throws -> SelectorKey<Data> {
        try add(socket: socket, fd: socket.fileno(), events: events, data: data)
    }

    /// Registers a descriptor that is not a `Socket` (standard input: 0). The key's `socket` is nil.
    @discardableResult
    public func register(fileDescriptor fd: Int32, events: SelectorEvents, data: Data) throws -> SelectorKey<Data> {
        try add(socket: nil, fd: fd, events: events, data: data)
    }

    /// `unregister(fileobj)`: stop watching `socket`. Unregister before you close the socket (a closed one is still
    /// found, but the habit matters with raw descriptors). Events already returned by `select` for it are not handed
    /// out any more. Python's returns the key; this returns nothing, so that `try? sel.unregister(sock)` compiles
    /// without a warning (`key(for:)` gives the key first, if you need it).
    public func unregister(_ socket: Socket) throws {
        let fd = socket.fileno()
        let key =
            fd >= 0 ? keys[fd].flatMap { $0.socket === socket ? $0 : nil } : keys.values.first { $0.socket === socket }
        guard let key else { throw notRegistered("unregister", "\(socket)") }
        try remove(key)
    }

    public func unregister(fileDescriptor fd: Int32) throws {
        guard let key = keys[fd] else { throw notRegistered("unregister", "descriptor \(fd)") }
        try remove(key)
    }

    /// `modify(fileobj, events)`: watch `socket` for other events, keeping its data.
    @discardableResult
    public func modify(_ socket: Socket, events: SelectorEvents) throws -> SelectorKey<Data> {
        guard let key = key(for: socket) else { throw notRegistered("modify", "\(socket)") }
        return try modify(key, events: events)
    }

    /// `modify(fileobj, events, data)`: new events and new data.
    @discardableResult
    public func modify(_ socket: Socket, events: SelectorEvents, data: Data) throws -> SelectorKey<Data> {
        let key = try modify(socket, events: events)
        key.data = data
        return key
    }

    /// Changes what a registration is watched for. Costs a system call only when the events really change.
    @discardableResult
    public func modify(_ key: SelectorKey<Data>, events: SelectorEvents) throws -> SelectorKey<Data> {
        guard registeredKey(key.fd) === key else { throw notRegistered("modify", "descriptor \(key.fd)") }
        try checkEvents(events, call: "modify")
        if events != key.events {
            try base.modify(key.fd, events, serial: key.serial)
            key.events = events
        }
        return key
    }

    // MARK: Waiting

    /// `select(timeout)`: waits until at least one registered socket is ready, or `timeout` seconds pass (nil waits
    /// for ever, 0 only looks), and returns the ready keys with what each is ready for — nothing after a timeout.
    ///
    /// The result is read as you go: a key you unregister (or modify) while handling an earlier one is skipped (or
    /// masked), as it must be, since its socket may be closed and its number already reused. Iterate it before the
    /// next `select`.
    public func select(timeout: Double? = nil) throws -> ReadyKeys {
        guard !closed else { throw SocketError(call: "select", reason: .invalidArgument("the selector is closed")) }
        if let timeout, !(timeout >= 0) {
            throw SocketError(call: "select", reason: .invalidArgument("the timeout must be nil or a number ≥ 0"))
        }
        let count = try base.wait(timeout: timeout)
        generation += 1
        return ReadyKeys(selector: self, count: count, generation: generation)
    }

    /// What `select` returns: `(key, events)` pairs, the lecture's `(key, mask)`.
    public struct ReadyKeys: Sequence {
        let selector: Selector
        /// How many descriptors the system reported ready, the waker's included (an upper bound on what iteration
        /// yields).
        public let count: Int
        let generation: Int

        /// Nothing to handle: iteration yields nothing — the timeout passed, or only the waker (which this drains, as
        /// iteration does) or keys unregistered since were reported.
        public var isEmpty: Bool {
            var iterator = makeIterator()
            return iterator.next() == nil
        }

        public func makeIterator() -> Iterator { Iterator(ready: self) }

        public struct Iterator: IteratorProtocol {
            let ready: ReadyKeys
            var index = 0

            public mutating func next() -> (key: SelectorKey<Data>, events: SelectorEvents)? {
                let selector = ready.selector
                while index < ready.count && selector.generation == ready.generation {
                    let event = selector.base.event(at: index)
                    index += 1
                    if event.serial == Selector.wakerSerial {
                        selector.drainWaker()
                        continue
                    }
                    // Skip registrations that ended (or were replaced) since the select: stale events.
                    guard let key = selector.registeredKey(event.fd), key.serial == event.serial else { continue }
                    let events = event.events.intersection(key.events)
                    if !events.isEmpty { return (key, events) }
                }
                return nil
            }
        }
    }

    // MARK: Looking up

    /// Python's `get_key(fileobj)`, returning nil instead of raising when `socket` is not registered.
    public func key(for socket: Socket) -> SelectorKey<Data>? {
        let fd = socket.fileno()
        guard let key = registeredKey(fd), key.socket === socket else { return nil }
        return key
    }

    public func key(forFileDescriptor fd: Int32) -> SelectorKey<Data>? { keys[fd] }

    /// Python's `get_map()`: every registration, by descriptor. Empty once everything is unregistered — the
    /// lecture's client stops then.
    public func getMap() -> [Int32: SelectorKey<Data>] { keys }

    // MARK: Ending

    /// `close()`: releases the selector (not the registered sockets: close those yourself). Closing twice is harmless.
    public func close() {
        guard !closed else { return }
        closed = true
        keys.removeAll()
        byDescriptor.removeAll()
        base.close()
        wakeReceiver?.close()
    }

    // MARK: Waking from another thread

    /// A waker for other threads: its `wakeUp()` makes a `select` that is waiting (or the next one) return at once.
    /// Make it on the selector's own thread, then hand it over.
    public func makeWaker() throws -> SelectorWaker {
        guard !closed else { throw SocketError(call: "makeWaker", reason: .invalidArgument("the selector is closed")) }
        if let wakeUp = try base.makeWakeUp() { return SelectorWaker(wakeUp) }  // kqueue: a user event
        // Otherwise one byte on a socket pair whose receiving end the selector watches.
        let (receiver, sender) = try Socket.socketPair()
        try receiver.setBlocking(false)
        try sender.setBlocking(false)
        try base.add(receiver.fileno(), .read, serial: Self.wakerSerial)
        wakeReceiver?.close()  // only the newest waker is listened to
        wakeReceiver = receiver
        return SelectorWaker { _ = try? sender.send([1]) }
    }

    private func drainWaker() {
        var scratch = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &scratch) { buffer in
            while let count = try? wakeReceiver?.recvInto(buffer), count > 0 {}
        }
    }

    // MARK: Internals

    private func add(socket: Socket?, fd: Int32, events: SelectorEvents, data: Data) throws -> SelectorKey<Data> {
        let what = socket.map { "\($0)" } ?? "descriptor \(fd)"
        guard !closed else { throw SocketError(call: "register", reason: .invalidArgument("the selector is closed")) }
        guard fd >= 0 else {
            throw SocketError(
                call: "register",
                reason: .invalidArgument("\(what) is closed: register it before closing it")
            )
        }
        try checkEvents(events, call: "register")
        if keys[fd] != nil {
            throw SocketError(
                call: "register",
                reason: .invalidArgument(
                    "\(what) is already registered — use modify() to change its events (or was a socket closed without unregister()?)"
                )
            )
        }
        lastSerial = lastSerial == UInt32.max ? 1 : lastSerial + 1
        try base.add(fd, events, serial: lastSerial)
        let key = SelectorKey(socket: socket, fd: fd, events: events, data: data, serial: lastSerial)
        keys[fd] = key
        if byDescriptor.count <= Int(fd) {
            byDescriptor += Array(repeating: nil, count: Int(fd) + 1 - byDescriptor.count)
        }
        byDescriptor[Int(fd)] = key
        return key
    }

    private func remove(_ key: SelectorKey<Data>) throws {
        keys[key.fd] = nil
        byDescriptor[Int(key.fd)] = nil
        try base.remove(key.fd)
    }

    private func checkEvents(_ events: SelectorEvents, call: String) throws {
        guard !events.isEmpty else {
            throw SocketError(
                call: call,
                reason: .invalidArgument("no events: watch for .read, .write or both (or unregister the socket)")
            )
        }
    }

    private func registeredKey(_ fd: Int32) -> SelectorKey<Data>? {
        guard fd >= 0, Int(fd) < byDescriptor.count, let key = byDescriptor[Int(fd)] else { return nil }
        return unsafeDowncast(key, to: SelectorKey<Data>.self)
    }

    private func notRegistered(_ call: String, _ what: String) -> SocketError {
        SocketError(call: call, reason: .invalidArgument("\(what) is not registered with this selector"))
    }
}

extension Selector where Data: ExpressibleByNilLiteral {
    /// `register(fileobj, events)` with `data=None`, as for the lecture's listening socket.
    @discardableResult
    public func register(_ socket: Socket, events: SelectorEvents) throws -> SelectorKey<Data> {
        try register(socket, events: events, data: nil)
    }
}

/// Wakes a selector's `select` from another thread (see `Selector.makeWaker`).
public final class SelectorWaker: Sendable {
    private let wake: @Sendable () -> Void

    init(_ wake: @escaping @Sendable () -> Void) { self.wake = wake }

    /// Makes the selector's current (or next) `select` return. Never blocks; harmless once the selector is gone.
    public func wakeUp() {
        wake()
    }
}

// MARK: Back-ends

/// What a back-end (SelectorEpoll.swift, SelectorKqueue.swift, SelectorPoll.swift) does for `Selector`. Keys, data
/// and the Python-style rules live in `Selector`; a back-end only talks to the system.
protocol SelectorBackend: AnyObject {
    func add(_ fd: Int32, _ events: SelectorEvents, serial: UInt32) throws
    func modify(_ fd: Int32, _ events: SelectorEvents, serial: UInt32) throws
    /// Forgets `fd`. A descriptor that was closed meanwhile is not an error.
    func remove(_ fd: Int32) throws
    /// Waits (nil: for ever; 0: not at all) and returns how many events `event(at:)` now holds.
    func wait(timeout: Double?) throws -> Int
    func event(at index: Int) -> ReadyEvent
    func close()
    /// The back-end's own way for other threads to end a `wait` (kqueue's user event), or nil: the selector then
    /// watches a socket pair instead.
    func makeWakeUp() throws -> (@Sendable () -> Void)?
}

extension SelectorBackend {
    func makeWakeUp() throws -> (@Sendable () -> Void)? { nil }
}

/// One descriptor the system reported ready. Hang-ups and errors are reported as both readable and writable (as
/// Python does), and `Selector` keeps only what the key asked for.
struct ReadyEvent: Equatable {
    let fd: Int32
    let serial: UInt32
    let events: SelectorEvents
}

/// One `ReadyEvent` per descriptor, from a back-end that reports each kind of readiness on its own (kqueue: one
/// event per filter), so that `select` hands out a socket once, with all it is ready for, on every back-end.
struct ReadyEventMerger {
    private(set) var events: [ReadyEvent] = []
    private var position: [Int32: Int] = [:]

    mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        position.removeAll(keepingCapacity: true)
    }

    mutating func add(fd: Int32, serial: UInt32, events readiness: SelectorEvents) {
        if let index = position[fd], events[index].serial == serial {
            events[index] = ReadyEvent(fd: fd, serial: serial, events: events[index].events.union(readiness))
        } else {
            position[fd] = events.count
            events.append(ReadyEvent(fd: fd, serial: serial, events: readiness))
        }
    }
}

/// Runs a waiting call with a timeout in milliseconds (-1: for ever), recomputed from the deadline if a signal
/// interrupts it, so that a wait never ends early nor starts over.
func waitWithTimeout<Result: FixedWidthInteger>(
    _ call: String,
    timeout: Double?,
    _ body: (Int32) -> Result
) throws -> Result {
    guard let timeout else { return try syscall(call) { body(-1) } }
    let deadline = ContinuousClock.now.advanced(by: .nanoseconds(Int64(min(timeout, 1e9) * 1e9)))
    return try syscall(call) { body(milliseconds(until: deadline)) }
}
