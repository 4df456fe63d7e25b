import FrameKit
import Lab5Protocol
import LabSupport
import SocketKit

/// The client's end of its connection to the router: messages go out through `encode` and come in through a
/// `FrameReader`, however the bytes are split.
final class RouterConnection {
    let socket: Socket
    private var reader = FrameReader()  // step 2

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
        // TODO step 2: the reader's next frame (nil if none), as a Message: (try? Message(frame)) ?? .unknown(frame).
        throw NotImplemented("step 2 — RouterConnection.buffered: the next whole frame, as a message")
    }

    /// The next message, waiting as long as it takes; nil once the router has closed the connection.
    func receive() throws -> Message? {
        while true {
            if let message = try buffered() { return message }
            guard try receiveMore() else { return nil }
        }
    }

    /// HELLO, then WELCOME — or the reason the router refused the name.
    func logIn(as name: String) throws {
        try send(.hello(name))
        switch try receive() {
        case .welcome?:
            return
        case .error(let code, let message)?:
            throw Failure("the router refused the name \"\(name)\": \(code.rawValue): \(message)")
        case nil:
            throw Failure("the router closed the connection instead of answering HELLO")
        case let other?:
            throw Failure("the router answered HELLO with \(other) instead of WELCOME")
        }
    }

    /// BYE, then whatever the router still sends until it closes (at most a couple of seconds): leaving this way
    /// loses nothing in either direction.
    func sayBye() throws {
        try send(.bye)
        try socket.setTimeout(2)
        while let message = try? receive() { print(describe(message)) }
        socket.close()
    }
}

/// A message from the router as the chat shows it.
func describe(_ message: Message) -> String {
    switch message {
    case .deliver(let from, let text): "\(from): \(text)"
    case .users(let names): "\(names.count) logged in:" + names.map { "\n  " + $0 }.joined()
    case .error(let code, let text): "error \(code.rawValue): \(text)"
    case .welcome(let name): "logged in as \(name)"
    default: "received \(message)"
    }
}
