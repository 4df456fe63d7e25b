/// Bytes waiting to go out on a non-blocking socket, oldest first: lab 4's per-connection `outb`, for servers that
/// queue messages for many clients and send each queue as its socket takes it.
///
/// Messages are appended whole at the back; `flush(to:)` sends from the front what the socket takes right now. The
/// front is an index rather than `removeFirst`, which would move every remaining byte on each partial send: bytes
/// already sent are dropped once they are at least half of the buffer, so each byte is copied a constant number of
/// times however the sends are split.
public struct OutputBuffer: Sendable {
    private var bytes: [UInt8] = []
    private var start = 0

    public init() {}

    /// Bytes waiting.
    public var count: Int { bytes.count - start }
    public var isEmpty: Bool { start == bytes.count }

    public mutating func append(_ more: some Collection<UInt8>) {
        bytes.append(contentsOf: more)
    }

    /// Sends what `socket` takes now and forgets it; true once nothing is left. A socket that would block is not an
    /// error, it just takes less (watch it for `.write` and call again); any other failure is thrown.
    @discardableResult
    public mutating func flush(to socket: Socket) throws -> Bool {
        while !isEmpty {
            do {
                let sent = try bytes.withUnsafeBytes { try socket.send(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                removeFirst(sent)
            } catch let error as SocketError where error.isWouldBlock {
                return false
            }
        }
        return true
    }

    /// Drops everything waiting.
    public mutating func removeAll() {
        bytes.removeAll()
        start = 0
    }

    private mutating func removeFirst(_ n: Int) {
        start += n
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 20)  // keep a small buffer, give a big one back
            start = 0
        } else if start >= 4096, start * 2 >= bytes.count {
            bytes.removeSubrange(0..<start)
            start = 0
        }
    }
}
