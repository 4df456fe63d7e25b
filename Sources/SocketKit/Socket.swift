import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// A BSD socket, with Python's `socket` API: the lecture's code translates line by line.
///
///     let s = try Socket(.inet, .stream)           # s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
///     try s.bind((HOST, PORT))                     # s.bind((HOST, PORT))
///     try s.listen()                               # s.listen()
///     let (conn, addr) = try s.accept()            # conn, addr = s.accept()
///     let data = try conn.recv(1024)               # data = conn.recv(1024)
///     try conn.sendAll(data)                       # conn.sendall(data)
///
/// Blocking, non-blocking and timeout modes work as in Python: `setBlocking(false)` makes calls that cannot finish
/// at once throw a would-block error (`SocketError.isWouldBlock`), and `setTimeout(3)` makes them wait at most
/// three seconds and then throw a timeout (`SocketError.isTimeout`).
///
/// Writing to a peer that has gone away throws (EPIPE) instead of killing the process with SIGPIPE.
/// The socket is closed by `close()` or, failing that, when the last reference to it goes away.
public final class Socket: Sendable, CustomStringConvertible {
    /// Python's `AF_INET`, `AF_INET6`, `AF_UNIX`.
    public enum Family: Sendable {
        case inet, inet6, unix

        public init?(rawValue: Int32) {
            switch rawValue {
            case AF_INET: self = .inet
            case AF_INET6: self = .inet6
            case AF_UNIX: self = .unix
            default: return nil
            }
        }

        public var rawValue: Int32 {
            switch self {
            case .inet: AF_INET
            case .inet6: AF_INET6
            case .unix: AF_UNIX
            }
        }
    }

    /// Python's `SOCK_STREAM` (TCP, a reliable byte stream) and `SOCK_DGRAM` (UDP, separate datagrams).
    public enum SocketType: Sendable {
        case stream
        case datagram

        public var rawValue: Int32 { self == .stream ? Platform.streamType : Platform.datagramType }
    }

    /// Python's `SHUT_RD`, `SHUT_WR`, `SHUT_RDWR`.
    public enum ShutdownHow: Sendable {
        case read, write, both
    }

    public let family: Family
    public let type: SocketType
    private let descriptor: Atomic<Int32>
    /// Python's timeout model in one number: < 0 blocking (None), 0 non-blocking, > 0 seconds (as nanoseconds).
    private let timeoutNanoseconds = Atomic<Int64>(-1)

    /// `socket.socket(family, type)`.
    public init(_ family: Family = .inet, _ type: SocketType = .stream) throws {
        let fd = try syscall("socket") { Platform.socket(family.rawValue, type.rawValue) }
        Platform.configureNewSocket(fd)
        self.family = family
        self.type = type
        self.descriptor = Atomic(fd)
    }

    /// Adopts a descriptor that is already a socket (from accept or socketpair).
    init(adopting fd: Int32, family: Family, type: SocketType) {
        Platform.configureNewSocket(fd)
        self.family = family
        self.type = type
        self.descriptor = Atomic(fd)
    }

    deinit {
        close()
    }

    public var description: String {
        let fd = descriptor.load(ordering: .relaxed)
        return fd < 0 ? "Socket(closed)" : "Socket(fd \(fd), \(family), \(type))"
    }

    // MARK: Descriptor

    /// `fileno()`: the file descriptor, or -1 once closed.
    public func fileno() -> Int32 { descriptor.load(ordering: .relaxed) }

    /// The descriptor for a call, or EBADF if the socket has been closed.
    private func fd(for call: String) throws -> Int32 {
        let fd = descriptor.load(ordering: .relaxed)
        guard fd >= 0 else { throw SocketError(call: call, reason: .system(errno: EBADF)) }
        return fd
    }

    /// `close()`. Closing twice is harmless, as in Python.
    public func close() {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { closeDescriptor(fd) }
    }

    // MARK: Server side

    /// `bind((host, port))`. An empty host binds every local address; port 0 lets the system pick a free port
    /// (read it back with `getSockName()`).
    public func bind(_ address: (String, Int)) throws {
        try bind(resolve(address, call: "bind"))
    }

    /// `bind(path)` for a Unix socket.
    public func bind(_ path: String) throws {
        try bind(SocketAddress(unixPath: path))
    }

    public func bind(_ address: SocketAddress) throws {
        let fd = try fd(for: "bind")
        _ = try address.withSockAddr { pointer, length in
            try syscall("bind", target: address.description) { systemBind(fd, pointer, length) }
        }
    }

    /// `listen(backlog)`: start accepting connections. Python's default backlog is 128 at most; so is this one.
    public func listen(_ backlog: Int = 128) throws {
        let fd = try fd(for: "listen")
        _ = try syscall("listen") { systemListen(fd, Int32(clamping: backlog)) }
    }

    /// `conn, addr = accept()`: wait for the next connection. The new socket is blocking, as in Python,
    /// whatever mode the listening socket is in.
    public func accept() throws -> (Socket, SocketAddress) {
        let fd = try fd(for: "accept")
        var newFD: Int32 = -1
        let peer = try SocketAddress { address, length in
            newFD = try waitingIfTimed("accept", for: POLLIN) {
                try syscall("accept") { Platform.accept(fd, address, length) }
            }
        }
        return (Socket(adopting: newFD, family: family, type: type), peer)
    }

    // MARK: Client side

    /// `connect((host, port))`: open a connection. Tries each address the host name resolves to.
    public func connect(_ address: (String, Int)) throws {
        let candidates = try resolveAll(address, call: "connect")
        var lastError: SocketError?
        for candidate in candidates {
            do {
                try connect(candidate)
                return
            } catch let error as SocketError where [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errno) {
                lastError = error
            }
        }
        throw lastError!
    }

    /// `connect(path)` for a Unix socket.
    public func connect(_ path: String) throws {
        try connect(SocketAddress(unixPath: path))
    }

    public func connect(_ address: SocketAddress) throws {
        let fd = try fd(for: "connect")
        let timeout = getTimeout()
        do {
            // The one call not simply repeated after EINTR: the connection goes on in the background, so it is
            // waited for below, as a non-blocking connect is.
            _ = try address.withSockAddr { pointer, length in
                try syscall("connect", target: address.description, retryingInterrupts: false) {
                    systemConnect(fd, pointer, length)
                }
            }
            return
        } catch let error as SocketError where error.errno == EINTR || (error.errno == EINPROGRESS && timeout != 0) {
            // Still connecting: wait for the outcome.
        }
        guard try waitUntilReady(fd, events: Int16(POLLOUT), timeout: timeout, call: "connect") else {
            throw SocketError(call: "connect", target: address.description, reason: .timedOut)
        }
        let failure = try getSockOpt(.error)
        if failure != 0 {
            throw SocketError(call: "connect", target: address.description, reason: .system(errno: Int32(failure)))
        }
    }

    /// `connect_ex((host, port))`: like `connect`, but returns the error number instead of throwing — 0 when
    /// connected, EINPROGRESS when a non-blocking connect has started (wait for the socket to become writable).
    /// A host name that cannot be resolved still throws, as in Python.
    @discardableResult
    public func connectEx(_ address: (String, Int)) throws -> Int32 {
        try connectEx(resolve(address, call: "connect_ex"))
    }

    @discardableResult
    public func connectEx(_ address: SocketAddress) throws -> Int32 {
        do {
            try connect(address)
            return 0
        } catch let error as SocketError {
            return error.errno
        }
    }

    // MARK: Sending

    /// `send(data)`: sends as much as the system takes right now and returns how many bytes that was —
    /// possibly fewer than you gave it. Use `sendAll` unless you handle the rest yourself. (Arrays, slices, `Data`
    /// and strings: Socket+Buffers.swift.)
    @discardableResult
    public func send(_ buffer: UnsafeRawBufferPointer) throws -> Int {
        let fd = try fd(for: "send")
        return try waitingIfTimed("send", for: POLLOUT) {
            try syscall("send") { systemSend(fd, buffer.baseAddress, buffer.count, Platform.sendFlags) }
        }
    }

    /// `sendall(data)`: sends every byte, calling send as often as it takes.
    public func sendAll(_ buffer: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buffer.count {
            offset += try send(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
        }
    }

    /// `sendto(data, address)`: one datagram to the given address.
    @discardableResult
    public func sendTo(_ buffer: UnsafeRawBufferPointer, _ address: SocketAddress) throws -> Int {
        let fd = try fd(for: "sendto")
        return try waitingIfTimed("sendto", for: POLLOUT) {
            try address.withSockAddr { pointer, length in
                try syscall("sendto", target: address.description) {
                    systemSendto(fd, buffer.baseAddress, buffer.count, Platform.sendFlags, pointer, length)
                }
            }
        }
    }

    // MARK: Receiving

    /// `recv(bufsize)`: up to `bufsize` bytes — whatever has arrived, at least one byte — or an empty array once
    /// the peer has closed its side (end of file). One send on the other side may take several recvs here, and
    /// several sends may arrive in one recv: TCP is a stream of bytes, not of messages.
    public func recv(_ bufsize: Int) throws -> [UInt8] {
        try receivingArray(max(bufsize, 0)) { buffer in try recvInto(buffer) }
    }

    /// `recv_into(buffer)`: receives into memory you own and returns the count; 0 means end of file — or an empty
    /// buffer, which receives nothing and returns at once, as `recv(0)` does. (Into an array, a slice or `Data`:
    /// Socket+Buffers.swift.)
    public func recvInto(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let fd = try fd(for: "recv")
        guard buffer.count > 0 else { return 0 }
        return try waitingIfTimed("recv", for: POLLIN) {
            try syscall("recv") { systemRecv(fd, buffer.baseAddress, buffer.count, 0) }
        }
    }

    /// `data, addr = recvfrom(bufsize)`: one datagram and who sent it. A datagram longer than `bufsize` is cut
    /// short; the rest of it is lost, as in Python.
    public func recvFrom(_ bufsize: Int) throws -> ([UInt8], SocketAddress) {
        var sender: SocketAddress?
        let bytes = try receivingArray(max(bufsize, 1)) { buffer in
            let (count, from) = try recvFromInto(buffer)
            sender = from
            return count
        }
        return (bytes, sender!)
    }

    /// `nbytes, addr = recvfrom_into(buffer)`: one datagram into memory you own, its length and who sent it.
    public func recvFromInto(_ buffer: UnsafeMutableRawBufferPointer) throws -> (Int, SocketAddress) {
        let fd = try fd(for: "recvfrom")
        var count = 0
        let sender = try SocketAddress { address, length in
            count = try waitingIfTimed("recvfrom", for: POLLIN) {
                try syscall("recvfrom") { systemRecvfrom(fd, buffer.baseAddress, buffer.count, 0, address, length) }
            }
        }
        return (count, sender)
    }

    /// A new array of at most `capacity` bytes, filled by `receive` (which returns how many it wrote).
    private func receivingArray(
        _ capacity: Int,
        _ receive: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws -> [UInt8] {
        var failure: (any Error)?
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            do {
                count = try receive(UnsafeMutableRawBufferPointer(buffer))
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    // MARK: Shutting down

    /// `shutdown(how)`: `.write` tells the peer "no more data from me" (it reads end of file) while this side
    /// can still receive — a half-close. Closing does both and releases the socket.
    public func shutdown(_ how: ShutdownHow) throws {
        let fd = try fd(for: "shutdown")
        let value =
            switch how {
            case .read: Platform.shutRead
            case .write: Platform.shutWrite
            case .both: Platform.shutBoth
            }
        _ = try syscall("shutdown") { systemShutdown(fd, value) }
    }

    // MARK: Modes

    /// `setblocking(flag)`: `false` is the same as `setTimeout(0)`, `true` the same as `setTimeout(nil)`.
    public func setBlocking(_ blocking: Bool) throws {
        try setTimeout(blocking ? nil : 0)
    }

    /// `getblocking()`.
    public func getBlocking() -> Bool { timeoutNanoseconds.load(ordering: .relaxed) != 0 }

    /// `settimeout(seconds)`: nil blocks for ever, 0 never blocks, a positive number waits at most that long
    /// in every call (connect, accept, send, recv) and then throws a timeout.
    public func setTimeout(_ seconds: Double?) throws {
        if let seconds, !(seconds >= 0) || !seconds.isFinite {
            throw SocketError(call: "settimeout", reason: .invalidArgument("the timeout must be nil or a number ≥ 0"))
        }
        let fd = try fd(for: "settimeout")
        let flags = try syscall("fcntl") { fcntl(fd, F_GETFL) }
        // Python keeps the descriptor non-blocking for any timeout and waits with poll; so does this.
        let newFlags = seconds == nil ? flags & ~O_NONBLOCK : flags | O_NONBLOCK
        if newFlags != flags { _ = try syscall("fcntl") { fcntl(fd, F_SETFL, newFlags) } }
        timeoutNanoseconds.store(seconds.map { Int64(($0 * 1e9).rounded()) } ?? -1, ordering: .relaxed)
    }

    /// `gettimeout()`: nil (blocking), 0 (non-blocking) or seconds.
    public func getTimeout() -> Double? {
        let nanoseconds = timeoutNanoseconds.load(ordering: .relaxed)
        return nanoseconds < 0 ? nil : Double(nanoseconds) / 1e9
    }

    // MARK: Addresses

    /// `getsockname()`: this end's address — with bind(('', 0)) this is where you learn the port you got.
    public func getSockName() throws -> SocketAddress {
        let fd = try fd(for: "getsockname")
        return try SocketAddress { address, length in
            _ = try syscall("getsockname") { getsockname(fd, address, length) }
        }
    }

    /// `getpeername()`: the other end's address (ENOTCONN if not connected).
    public func getPeerName() throws -> SocketAddress {
        let fd = try fd(for: "getpeername")
        return try SocketAddress { address, length in
            _ = try syscall("getpeername") { getpeername(fd, address, length) }
        }
    }

    // MARK: Helpers

    /// Runs a call; if the socket has a timeout and the call would block, waits for readiness and tries again
    /// until the timeout runs out. Blocking and non-blocking sockets run the call once.
    private func waitingIfTimed<Result>(
        _ call: String,
        for events: Int32,
        _ body: () throws -> Result
    ) throws -> Result {
        let nanoseconds = timeoutNanoseconds.load(ordering: .relaxed)
        guard nanoseconds > 0 else { return try body() }
        let deadline = ContinuousClock.now.advanced(by: .nanoseconds(nanoseconds))
        while true {
            do {
                return try body()
            } catch let error as SocketError where error.isWouldBlock {
                let left = ContinuousClock.now.duration(to: deadline)
                let seconds = left / .seconds(1)
                guard seconds > 0,
                    try waitUntilReady(fileno(), events: Int16(events), timeout: seconds, call: call)
                else { throw SocketError(call: call, reason: .timedOut) }
            }
        }
    }

    private func resolveAll(_ address: (String, Int), call: String) throws -> [SocketAddress] {
        guard family != .unix else {
            throw SocketError(
                call: call,
                reason: .invalidArgument("a Unix socket takes a path, not (host, port)")
            )
        }
        let found = try SocketAddress.resolve(host: address.0, port: address.1, family: family, type: type, call: call)
        guard !found.isEmpty else {
            throw SocketError(call: call, target: address.0, reason: .resolution(code: EAI_NONAME))
        }
        return found
    }

    func resolve(_ address: (String, Int), call: String) throws -> SocketAddress {
        try resolveAll(address, call: call)[0]
    }
}
