import FrameTypes
import Lab5Given
import Lab5ProtocolSolution
import LabSupport
import SocketKit

/// The client's end of its connection to the router: messages go out through `encode` and come in through a
/// `FrameReader`, however the bytes are split. (`receive()`, `logIn(as:)` and `sayBye()` come with
/// `MessageConnection`, given.)
final class RouterConnection: MessageConnection {
    let socket: Socket
    private var reader = FrameReader()

    init(connectingTo address: (String, Int)) throws {
        socket = try Socket(.inet, .stream)
        try socket.connect(address)
        try socket.setSockOpt(.noDelay, true)  // small frames, sent as they are written
    }

    /// Step 1: one message, as one frame.
    func send(_ message: Message) throws {
        try socket.sendAll(try encode(message.frame))
    }

    /// Step 2: one `recv` into the reader. False once the router has closed the connection.
    func receiveMore() throws -> Bool {
        let chunk = try socket.recv(65536)
        if chunk.isEmpty {
            if reader.bufferedCount > 0 { throw Failure("the router closed the connection in the middle of a frame") }
            return false
        }
        reader.feed(chunk)
        return true
    }

    /// Step 2: the next message already received whole, or nil; never waits. A frame this client cannot read as a
    /// message (a DELIVER without its newline, say) comes out as `.unknown` rather than ending the program.
    func buffered() throws -> Message? {
        guard let frame = try reader.next() else { return nil }
        return (try? Message(frame)) ?? .unknown(frame)
    }
}
