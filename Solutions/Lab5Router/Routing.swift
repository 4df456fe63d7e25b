import FrameTypes
import Lab5Given
import Lab5ProtocolSolution
import LabSupport

/// The router's side of the protocol: what each frame a client sends makes it do. The router knows who sent every
/// frame (the connection it came from) and where it goes (the name in it).
extension EventLoop {
    func route(_ frame: Frame, from conn: Connection) throws {
        let notLoggedIn = Message.error(code: .notLoggedIn, message: "send HELLO with your name first")
        // Decided before the body is read: these need a name to send from, or to send to.
        if conn.name == nil, [FrameType.send, .broadcast, .list].contains(frame.type) {
            return try send(notLoggedIn, to: conn)
        }
        let message: Message
        do {
            message = try Message(frame)
        } catch {
            return try send(.error(code: error.code, message: error.description), to: conn)
        }
        switch (message, conn.name) {
        case (.ping(let body), _):
            try send(.pong(body), to: conn)
        case (.hello(let name), _):
            try logIn(conn, as: name)
        case (.send(let to, let text), let sender?):
            guard let recipient = clients[to] else {
                return try send(.error(code: .noSuchUser, message: "nobody called \(to) is logged in"), to: conn)
            }
            try send(.deliver(from: sender, text: text), to: recipient)
        case (.broadcast(let text), let sender?):
            for other in clients.values where other !== conn {
                try send(.deliver(from: sender, text: text), to: other)
            }
        case (.list, _?):
            // Sorted by their UTF-8 bytes, as a client in any language would sort them.
            try send(.users(clients.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }), to: conn)
        case (.bye, _):
            try finish(conn, because: "said BYE")
        case (.send, nil), (.broadcast, nil), (.list, nil):
            try send(notLoggedIn, to: conn)  // (answered above already, before the body was read)
        case (.welcome, _), (.deliver, _), (.users, _), (.pong, _), (.error, _), (.unknown, _):
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
