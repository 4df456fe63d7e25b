import FrameKit
import SocketKit

/// A plain blocking client of the lab 5 router for the tests, on FrameKit's codec: what any program speaking the
/// frame format would do.
final class FrameClient {
    let socket: Socket
    private var decoder = FrameDecoder(bodyLimit: 1 << 24)

    init(port: Int, timeout: Double = 10) throws {
        socket = try Socket.createConnection(("127.0.0.1", port), timeout: timeout)
        try socket.setSockOpt(.noDelay, true)
    }

    deinit { socket.close() }

    func send(_ message: Message) throws {
        try socket.sendAll(message.frame.encoded())
    }

    func send(bytes: [UInt8]) throws {
        try socket.sendAll(bytes)
    }

    /// The next frame; nil once the router has closed the connection.
    func receive() throws -> Frame? {
        while true {
            if let frame = try decoder.next() { return frame }
            let chunk: [UInt8]
            do {
                chunk = try socket.recv(65536)
            } catch let error as SocketError where error.isPeerGone {
                return nil
            }
            if chunk.isEmpty { return nil }
            decoder.feed(chunk)
        }
    }

    func receiveMessage() throws -> Message? {
        try receive().map { try Message($0) }
    }

    func logIn(as name: String) throws {
        try send(.hello(name))
        let reply = try receiveMessage()
        guard reply == .welcome(name) else {
            throw SocketError(call: "HELLO", reason: .invalidArgument("got \(String(describing: reply))"))
        }
    }
}

/// A frame header announcing `length` bytes of body, for clients that never send it.
func header(_ type: FrameType, length: UInt32) -> [UInt8] {
    [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF)] + withUnsafeBytes(of: length.bigEndian, Array.init)
}
