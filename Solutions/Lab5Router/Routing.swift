import FrameTypes
import Lab5Given
import Lab5ProtocolSolution
import LabSupport

/// The router's side of the protocol: what each frame a client sends makes it do. The router knows who sent every
/// frame (the connection it came from) and where it goes (the name in it).
extension EventLoop {
    func route(_ frame: Frame, from conn: Connection) throws {
        if let refusal = refusal(of: frame, from: conn) { return try send(refusal, to: conn) }
        let message: Message
        do {
            message = try Message(frame)
        } catch {
            return try send(.error(code: error.code, message: error.description), to: conn)
        }
        switch message {
        case .ping(let body): try send(.pong(body), to: conn)
        case .hello(let name): try logIn(conn, as: name)
        case .send, .broadcast, .list: try relay(message, from: conn)
        case .bye: try finish(conn, because: "said BYE")
        case .welcome, .deliver, .users, .pong, .error, .unknown: break  // refused above: the router does not take them
        }
    }

    /// What the router refuses from a frame's type alone, before it reads the body: SEND, BROADCAST and LIST from a
    /// connection without a name (they need one to send from), and every type a client does not send.
    private func refusal(of frame: Frame, from conn: Connection) -> Message? {
        switch frame.type {
        case .send, .broadcast, .list:
            conn.name == nil ? .error(code: .notLoggedIn, message: "send HELLO with your name first") : nil
        case .hello, .ping, .bye:
            nil
        default:
            .error(
                code: .unknownType,
                message: frame.type.isKnown
                    ? "\(frame.type) is sent by the router, not to it"
                    : "\(frame.type) is not a frame type of this protocol"
            )
        }
    }

    private func logIn(_ conn: Connection, as name: String) throws {
        if let current = conn.name {
            return try send(
                .error(code: .badName, message: "this connection is already logged in as \(current)"),
                to: conn
            )
        }
        guard clients[name] == nil else {
            return try send(.error(code: .nameTaken, message: "\(name) is already logged in"), to: conn)
        }
        conn.name = name
        clients[name] = conn
        try send(.welcome(name), to: conn)
        log("\(conn.address) is \(name)")
    }

    /// SEND and BROADCAST go to their recipients as DELIVER, from the name of the connection they came from; LIST is
    /// answered with everyone who can be reached.
    private func relay(_ message: Message, from conn: Connection) throws {
        guard let sender = conn.name else { return }  // refused before its body was read
        switch message {
        case .send(let to, let text):
            guard let recipient = clients[to] else {
                return try send(.error(code: .noSuchUser, message: "nobody called \(to) is logged in"), to: conn)
            }
            try send(.deliver(from: sender, text: text), to: recipient)
        case .broadcast(let text):
            for other in clients.values where other !== conn {
                try send(.deliver(from: sender, text: text), to: other)
            }
        case .list:
            // Sorted by their UTF-8 bytes, as a client in any language would sort them.
            try send(.users(clients.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }), to: conn)
        default:
            break
        }
    }
}
