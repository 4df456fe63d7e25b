import Foundation
import SocketKit
import Synchronization

/// What a step's check did, as data: the programs it started, its connections with them, and every byte each way.
/// The transcript is the same story as text; a failed step is replayed by hand from this (see `Replay`).
public final class Recording: Sendable {
    public enum Event: Sendable, Equatable {
        /// One of the lab's programs ("echo-server") was started with these arguments.
        case started(program: String, arguments: [String])
        /// A server reported the port it listens on.
        case listening(program: String, port: Int)
        /// Text typed into a program's standard input (`program` is the product: `lab3-echo-server`).
        case typed(program: String, text: String)
        /// The checker connected to a program listening on `port`.
        case connected(connection: Int, label: String, port: Int, local: SocketAddress, remote: SocketAddress)
        /// The checker tried to connect to `port` and could not (`reason`: "Connection refused"): the failure, often.
        case connectFailed(connection: Int, label: String, port: Int, reason: String)
        /// The checker listens for a client on `host`, `port` (it plays the server).
        case checkerListening(host: String, port: Int)
        /// A program connected to the checker, which listened on `port`.
        case accepted(connection: Int, label: String, port: Int, local: SocketAddress, remote: SocketAddress)
        case sent(connection: Int, bytes: [UInt8])
        case received(connection: Int, bytes: [UInt8])
        /// The checker waited for `count` bytes; `expected` when it knew what they should be.
        case awaited(connection: Int, count: Int, expected: [UInt8]?)
        /// The checker closed its sending side (the program reads end of file).
        case halfClosed(connection: Int)
        case closed(connection: Int)
        /// The checker vanished abruptly (a reset).
        case reset(connection: Int)
    }

    public struct Entry: Sendable {
        /// Since the step began.
        public let time: Duration
        public let event: Event
    }

    private let entries = Mutex<[Entry]>([])
    private let nextConnection = Atomic<Int>(1)
    private let start = ContinuousClock.now
    /// When the step began, by the wall clock: a capture's packets are stamped with it.
    public let startDate = Date()

    public init() {}

    func record(_ event: Event) {
        let entry = Entry(time: ContinuousClock.now - start, event: event)
        entries.withLock { $0.append(entry) }
    }

    /// A number for a new connection, unique within the step.
    func newConnection() -> Int { nextConnection.add(1, ordering: .relaxed).oldValue }

    public var events: [Entry] { entries.withLock { $0 } }
}
