import FrameTypes
import Lab5Given
import Lab5Protocol
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
        // TODO step 1: encode the message's frame, and sendAll the bytes.
        throw NotImplemented("step 1 — RouterConnection.send: encode the frame and sendAll it")
    }

    /// Step 2: one `recv` into the reader. False once the router has closed the connection.
    func receiveMore() throws -> Bool {
        // TODO step 2: recv up to 65536 bytes. Nothing (end of stream): false — or, if the reader still holds part of
        //   a frame, throw Failure("the router closed the connection in the middle of a frame"). Else feed the reader.
        throw NotImplemented("step 2 — RouterConnection.receiveMore: recv and feed the FrameReader")
    }

    /// Step 2: the next message already received whole, or nil; never waits. A frame this client cannot read as a
    /// message (a DELIVER without its newline, say) comes out as `.unknown` rather than ending the program.
    func buffered() throws -> Message? {
        guard let frame = try reader.next() else { return nil }
        return (try? Message(frame)) ?? .unknown(frame)
    }
}
