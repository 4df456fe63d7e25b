import SocketKit

/// What the router keeps for one client: lab 4's per-connection state, plus the client's name and its receiving
/// side as a DEVS model.
public final class Connection {
    public enum Status {
        case open
        /// No more reading (BYE, an error that ends the stream, end of file): what is queued is still sent.
        case closing(because: String)
        /// All sent and our side shut down: what the client still sends is read and dropped until it closes or the
        /// linger time is up.
        case lingering(because: String)
        case closed
    }

    public let socket: Socket
    public let address: SocketAddress
    /// Set by a WELCOME: the name others send to.
    public var name: String?
    /// The receiving side: bytes in, whole frames (or why not) out.
    public var receiver: Receiver
    /// Encoded frames the socket has not taken yet, oldest first: one queue per receiver is what keeps every
    /// sender's messages in order.
    public var outbox = OutputBuffer()
    public var status = Status.open
    /// What the selector watches this socket for, to skip `modify` calls that change nothing.
    public var events: SelectorEvents = .read
    /// Whether the loop has it on its list of connections to flush.
    public var awaitingFlush = false
    /// When a connection on its way out is closed, whether or not it has been sent everything and has closed too.
    public var closeBy: Duration?

    public init(socket: Socket, address: SocketAddress, receiver: Receiver) {
        self.socket = socket
        self.address = address
        self.receiver = receiver
    }

    public var isOpen: Bool {
        if case .open = status { true } else { false }
    }

    public var isClosed: Bool {
        if case .closed = status { true } else { false }
    }

    /// `Kim (127.0.0.1:50514)`, or the address alone before HELLO.
    public var label: String {
        name.map { "\($0) (\(address))" } ?? "\(address)"
    }
}
