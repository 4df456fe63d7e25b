import FrameTypes
import LabSupport
import SocketKit

/// The client's end of its connection to the router. `RouterConnection` (yours) sends a message as one frame and
/// reads frames however the bytes are split (steps 1–2); what is built on those three, below, is given.
public protocol MessageConnection: AnyObject {
    var socket: Socket { get }
    /// One message, as one frame.
    func send(_ message: Message) throws
    /// One `recv` into the reader. False once the router has closed the connection.
    func receiveMore() throws -> Bool
    /// The next message already received whole, or nil; never waits.
    func buffered() throws -> Message?
}

extension MessageConnection {
    /// The next message, waiting as long as it takes; nil once the router has closed the connection.
    public func receive() throws -> Message? {
        while true {
            if let message = try buffered() { return message }
            guard try receiveMore() else { return nil }
        }
    }

    /// HELLO, then WELCOME — or the reason the router refused the name.
    public func logIn(as name: String) throws {
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
    public func sayBye() throws {
        try send(.bye)
        try socket.setTimeout(2)
        while let message = try? receive() { print(describe(message)) }
        socket.close()
    }
}

/// A message from the router as the chat shows it.
public func describe(_ message: Message) -> String {
    switch message {
    case .deliver(let from, let text): "\(from): \(text)"
    case .users(let names): "\(names.count) logged in:" + names.map { "\n  " + $0 }.joined()
    case .error(let code, let text): "error \(code.rawValue): \(text)"
    case .welcome(let name): "logged in as \(name)"
    default: "received \(message)"
    }
}
