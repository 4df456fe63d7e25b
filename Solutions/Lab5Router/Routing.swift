import FrameKit
import Lab5ProtocolSolution

/// The router's side of the protocol: what each frame a client sends makes it do. The router knows who sent every
/// frame (the connection it came from) and where it goes (the name in it).
extension EventLoop {
    func route(_ frame: Frame, from conn: Connection) throws {
        // Before the body is even read: these need a name to send from, or to send to.
        if conn.name == nil, [FrameType.send, .broadcast, .list].contains(frame.type) {
            return try send(.error(code: .notLoggedIn, message: "send HELLO with your name first"), to: conn)
        }
        let message: Message
        do {
            message = try Message(frame)
        } catch {
            return try send(.error(code: error.code, message: error.description), to: conn)
        }
        switch message {
        case .hello(let name):
            try logIn(conn, as: name)
        case .send(let to, let text):
            guard let recipient = clients[to] else {
                return try send(.error(code: .noSuchUser, message: "nobody called \(to) is logged in"), to: conn)
            }
            try send(.deliver(from: conn.name ?? "", text: text), to: recipient)
        case .broadcast(let text):
            for other in clients.values where other !== conn {
                try send(.deliver(from: conn.name ?? "", text: text), to: other)
            }
        case .list:
            // Sorted by their UTF-8 bytes, as a client in any language would sort them.
            try send(.users(clients.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }), to: conn)
        case .ping(let body):
            try send(.pong(body), to: conn)
        case .bye:
            finish(conn, because: "said BYE")
        case .welcome, .deliver, .users, .pong, .error, .unknown:
            let what = frame.type.isKnown ? "\(frame.type) is sent by the router, not to it" : "\(frame.type) is not a frame type of this protocol"
            try send(.error(code: .unknownType, message: what), to: conn)
        }
    }

    private func logIn(_ conn: Connection, as name: String) throws {
        if let current = conn.name {
            return try send(.error(code: .badName, message: "this connection is already logged in as \(current)"), to: conn)
        }
        guard clients[name] == nil else {
            return try send(.error(code: .nameTaken, message: "\(name) is already logged in"), to: conn)
        }
        conn.name = name
        clients[name] = conn
        try send(.welcome(name), to: conn)
        log("\(conn.address) is \(name)")
    }
}
