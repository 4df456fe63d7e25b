import SocketKit

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// What one load run measured.
struct LoadResult {
    var connections: Int
    var messages: Int
    var size: Int
    var roundTrips = 0
    /// Connections that failed: refused, reset, closed early, or an echo that differed from what was sent.
    var errors = 0
    /// Connections still short of their round trips when the time limit came.
    var unfinished = 0
    var seconds = 0.0
    /// Round-trip latencies in microseconds, sorted.
    var latencies: [Double] = []

    var roundTripsPerSecond: Double { seconds > 0 ? Double(roundTrips) / seconds : 0 }
    func percentile(_ p: Double) -> Double {
        latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
    }

    var summary: String {
        "conns=\(connections) msgs=\(messages) size=\(size) roundtrips=\(roundTrips) errors=\(errors) unfinished=\(unfinished) "
            + "seconds=\(format(seconds, 3)) rt_per_s=\(Int(roundTripsPerSecond)) p50_us=\(Int(percentile(0.5))) "
            + "p99_us=\(Int(percentile(0.99))) max_us=\(Int(latencies.last ?? 0))"
    }
}

/// Closed-loop echo load: `connections` connections, each sends `size` bytes, waits until all of them are back,
/// and repeats, `messages` times — on one thread and one selector, as the lab 4 client does.
final class LoadGenerator {
    final class Connection {
        let sock: Socket
        var sent = 0
        var received = 0
        var completed = 0
        var connected = false
        var started: UInt64 = 0

        init(sock: Socket) { self.sock = sock }
    }

    let host: String
    let port: Int
    let connections: Int
    let messages: Int
    let message: [UInt8]
    let timeLimit: Double
    private var buffer = [UInt8](repeating: 0, count: 65536)
    private var result: LoadResult
    private var latencies: [UInt64] = []

    init(host: String, port: Int, connections: Int, messages: Int, size: Int, timeLimit: Double) {
        self.host = host
        self.port = port
        self.connections = connections
        self.messages = messages
        self.message = (0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        self.timeLimit = timeLimit
        result = LoadResult(connections: connections, messages: messages, size: size)
        latencies.reserveCapacity(connections * messages)
    }

    func run() throws -> LoadResult {
        let sel = try Selector<Connection>()
        let start = monotonicNanoseconds()
        let deadline = start + UInt64(timeLimit * 1e9)
        guard let server = try SocketAddress.resolve(host: host, port: port).first else {
            throw SocketError(call: "connect", target: host, reason: .invalidArgument("no address"))
        }
        for _ in 0..<connections {
            let sock = try Socket(server.family ?? .inet, .stream)
            try sock.setBlocking(false)
            try sock.setSockOpt(.noDelay, true)
            do {
                try sock.connect(server)
            } catch let error as SocketError where error.isWouldBlock {
                // Connecting in the background: the socket turns writable when it is done.
            }
            try sel.register(sock, events: .write, data: Connection(sock: sock))
        }
        while !sel.getMap().isEmpty {
            let now = monotonicNanoseconds()
            if now >= deadline { break }
            for (key, mask) in try sel.select(timeout: min(1, Double(deadline - now) / 1e9)) {
                let conn = key.data
                do {
                    if try service(conn, mask) {
                        try sel.modify(key, events: conn.sent < message.count ? .write : .read)
                    }
                } catch {
                    result.errors += 1
                    finish(conn, in: sel)
                }
                if conn.completed == messages { finish(conn, in: sel) }
            }
        }
        result.seconds = Double(monotonicNanoseconds() - start) / 1e9
        result.unfinished = sel.getMap().count
        for (_, key) in sel.getMap() { key.data.sock.close() }
        result.roundTrips = latencies.count
        result.latencies = latencies.sorted().map { Double($0) / 1000 }
        return result
    }

    /// Moves one connection on; returns whether it now waits for something else (write ↔ read).
    private func service(_ conn: Connection, _ mask: SelectorEvents) throws -> Bool {
        if !conn.connected {
            let code = try conn.sock.getSockOpt(.error)
            if code != 0 {
                throw SocketError(call: "connect", target: "\(host):\(port)", reason: .system(errno: Int32(code)))
            }
            conn.connected = true
            conn.started = monotonicNanoseconds()
        }
        let wasSending = conn.sent < message.count
        if mask.contains(.write) && conn.sent < message.count { try send(conn) }
        if mask.contains(.read) {
            let count = try buffer.withUnsafeMutableBytes { try conn.sock.recvInto($0) }
            if count == 0 {
                throw SocketError(call: "recv", reason: .invalidArgument("the server closed the connection"))
            }
            let expected = message[conn.received..<conn.received + count]
            guard buffer[..<count].elementsEqual(expected) else {
                throw SocketError(call: "recv", reason: .invalidArgument("the echo differs from what was sent"))
            }
            conn.received += count
            if conn.received == message.count {
                let now = monotonicNanoseconds()
                latencies.append(now - conn.started)
                conn.completed += 1
                conn.sent = 0
                conn.received = 0
                if conn.completed < messages {
                    conn.started = now
                    try send(conn)  // the next round trip at once: most of the time it fits, and no event is needed
                }
            }
        }
        return wasSending != (conn.sent < message.count)
    }

    private func send(_ conn: Connection) throws {
        do {
            conn.sent += try message.withUnsafeBytes {
                try conn.sock.send(UnsafeRawBufferPointer(rebasing: $0[conn.sent...]))
            }
        } catch let error as SocketError where error.isWouldBlock {}
    }

    private func finish(_ conn: Connection, in sel: Selector<Connection>) {
        try? sel.unregister(conn.sock)
        conn.sock.close()
    }
}

func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        text += String(repeating: "0", count: max(0, decimals - have))
        if decimals == 0 { text.removeSubrange(dot...) }
    }
    return text
}
