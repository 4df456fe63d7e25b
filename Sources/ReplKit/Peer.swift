import SocketKit

/// A named end of a conversation: a connection (made with `connect`, or accepted by a listener) or a listener.
final class Peer {
    enum Role: Equatable {
        case listener
        case outgoing
        /// Accepted by the listener of that name.
        case accepted(by: String)
    }

    /// TCP's states as the user sees them.
    enum State: String {
        case listening
        case open
        /// We have shut down writing (sent FIN): we can still receive.
        case writeShut = "write shut"
        /// The peer has shut down writing (we read end of stream): we can still send.
        case peerClosed = "peer closed"
        case closed
    }

    let name: String
    let role: Role
    let socket: Socket
    /// The other end's address; a listener's own.
    let address: String
    var state: State
    var bytesIn = 0
    var bytesOut = 0
    /// Connections accepted so far (listeners only): names them l.1, l.2, …
    var accepted = 0
    /// Received bytes that no `recv` or `expect` has taken yet.
    var unread: [UInt8] = []
    /// An accepted connection that `accept` has handed out already (the next `accept` waits for another).
    var takenByAccept = false
    /// The socket file a Unix listener created: removed when the listener closes.
    var socketFile: SocketFile?
    var inbound: any MessageDecoder
    var outbound: any MessageDecoder

    /// `unread` keeps at most this much: what a forgotten peer sends must not fill memory.
    static let unreadLimit = 1 << 20

    init(name: String, role: Role, socket: Socket, address: String, framing: any Framing) {
        self.name = name
        self.role = role
        self.socket = socket
        self.address = address
        state = role == .listener ? .listening : .open
        inbound = framing.makeDecoder()
        outbound = framing.makeDecoder()
    }

    var isListener: Bool { role == .listener }
    var isOpen: Bool { state != .closed }
    /// Whether the event loop should read from it (or accept on it).
    var wantsInput: Bool { state == .listening || state == .open || state == .writeShut }
    var canSend: Bool { state == .open || state == .peerClosed }
    /// A conversation still going on: the peer has not closed its side. A new client takes over as the current peer
    /// from anything else (a listener, a finished conversation).
    var isLiveConnection: Bool { !isListener && wantsInput }

    func keepUnread(_ bytes: [UInt8]) {
        unread += bytes
        if unread.count > Self.unreadLimit { unread.removeFirst(unread.count - Self.unreadLimit) }
    }

    /// Closes the socket; the peer stays listed (as closed) until `close NAME` removes it.
    func shutDown() {
        socket.close()
        state = .closed
        socketFile?.remove()
        socketFile = nil
    }
}
