#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// A socket option the labs use, typed by its value: Python's `setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)` is
/// `setSockOpt(.reuseAddress, true)` here.
public struct SocketOption<Value>: Sendable {
    let level: Int32
    let name: Int32
    let label: String
}

extension SocketOption where Value == Bool {
    /// SO_REUSEADDR: a restarted server may bind its port again at once, instead of failing with "address already
    /// in use" while old connections linger in TIME_WAIT.
    public static var reuseAddress: SocketOption<Bool> {
        .init(level: SOL_SOCKET, name: SO_REUSEADDR, label: "SO_REUSEADDR")
    }
    /// SO_REUSEPORT: several sockets may listen on one port.
    public static var reusePort: SocketOption<Bool> {
        .init(level: SOL_SOCKET, name: SO_REUSEPORT, label: "SO_REUSEPORT")
    }
    /// SO_KEEPALIVE: probe idle connections so that a vanished peer is noticed eventually.
    public static var keepAlive: SocketOption<Bool> {
        .init(level: SOL_SOCKET, name: SO_KEEPALIVE, label: "SO_KEEPALIVE")
    }
    /// SO_BROADCAST: allow UDP datagrams to broadcast addresses.
    public static var broadcast: SocketOption<Bool> {
        .init(level: SOL_SOCKET, name: SO_BROADCAST, label: "SO_BROADCAST")
    }
    /// TCP_NODELAY: send small writes at once instead of batching them (Nagle's algorithm): lower latency for
    /// request/response protocols.
    public static var noDelay: SocketOption<Bool> {
        .init(level: Platform.tcpLevel, name: TCP_NODELAY, label: "TCP_NODELAY")
    }
}

extension SocketOption where Value == Int {
    /// SO_RCVBUF: the kernel's receive buffer, in bytes (Linux reports double what was asked for).
    public static var receiveBufferSize: SocketOption<Int> {
        .init(level: SOL_SOCKET, name: SO_RCVBUF, label: "SO_RCVBUF")
    }
    /// SO_SNDBUF: the kernel's send buffer, in bytes.
    public static var sendBufferSize: SocketOption<Int> {
        .init(level: SOL_SOCKET, name: SO_SNDBUF, label: "SO_SNDBUF")
    }
    /// SO_ERROR (read only): the pending error, e.g. the outcome of a non-blocking connect; reading it clears it.
    public static var error: SocketOption<Int> { .init(level: SOL_SOCKET, name: SO_ERROR, label: "SO_ERROR") }
}

extension SocketOption where Value == Int? {
    /// SO_LINGER: nil closes normally; 0 makes close() reset the connection (the peer sees ECONNRESET) — how a
    /// test plays a client that vanishes abruptly.
    public static var linger: SocketOption<Int?> { .init(level: SOL_SOCKET, name: SO_LINGER, label: "SO_LINGER") }
}

extension Socket {
    /// `setsockopt(level, option, value)`.
    public func setSockOpt(_ option: SocketOption<Bool>, _ value: Bool) throws {
        try setRaw(option, Int32(value ? 1 : 0))
    }

    public func setSockOpt(_ option: SocketOption<Int>, _ value: Int) throws {
        try setRaw(option, Int32(clamping: value))
    }

    public func setSockOpt(_ option: SocketOption<Int?>, _ value: Int?) throws {
        try setRaw(option, linger(l_onoff: value == nil ? 0 : 1, l_linger: Int32(clamping: value ?? 0)))
    }

    /// `getsockopt(level, option)`.
    public func getSockOpt(_ option: SocketOption<Bool>) throws -> Bool {
        try getRaw(option, as: Int32.self) != 0
    }

    public func getSockOpt(_ option: SocketOption<Int>) throws -> Int {
        Int(try getRaw(option, as: Int32.self))
    }

    public func getSockOpt(_ option: SocketOption<Int?>) throws -> Int? {
        let value = try getRaw(option, as: linger.self)
        return value.l_onoff == 0 ? nil : Int(value.l_linger)
    }

    private func setRaw<Value, Raw: BitwiseCopyable>(_ option: SocketOption<Value>, _ raw: Raw) throws {
        let fd = fileno()
        var raw = raw
        _ = try syscall("setsockopt", target: option.label) {
            setsockopt(fd, option.level, option.name, &raw, socklen_t(MemoryLayout<Raw>.size))
        }
    }

    private func getRaw<Value, Raw: BitwiseCopyable>(_ option: SocketOption<Value>, as: Raw.Type) throws -> Raw {
        let fd = fileno()
        let raw = UnsafeMutablePointer<Raw>.allocate(capacity: 1)
        defer { raw.deallocate() }
        UnsafeMutableRawPointer(raw).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Raw>.size)
        var length = socklen_t(MemoryLayout<Raw>.size)
        _ = try syscall("getsockopt", target: option.label) { getsockopt(fd, option.level, option.name, raw, &length) }
        return raw.pointee
    }
}
