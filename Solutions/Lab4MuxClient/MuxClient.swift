import ArgumentParser
import LabSupport
import SocketKit

/// The lecture's multi-connection client: opens every connection at once, without waiting for any, sends each the
/// same messages through one selector, and checks that every byte comes back, in order.
@main
struct MuxClient: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab4-mux-client",
        abstract: "The lecture's multi-connection client: N connections at once, each checks its echo."
    )

    @OptionGroup var endpoint: EndpointOptions

    @Option(help: "How many connections to open at once.")
    var connections = 2

    @Option(parsing: .upToNextOption, help: "The messages every connection sends, in order.")
    var messages = ["Message 1 from client.", "Message 2 from client."]

    @Option(help: "Give up when nothing has arrived for this many seconds.")
    var timeout = 10.0

    @Flag(help: "Print only failures and the total, not every message and connection.")
    var quiet = false

    func validate() throws {
        guard connections > 0 else { throw ValidationError("--connections must be at least 1") }
        guard messages.contains(where: { !$0.isEmpty }) else {
            throw ValidationError("give at least one non-empty message")
        }
    }

    func run() throws {
        try raiseOpenFileLimit()
        let sel = try Selector<ClientConnection>()
        let started = ContinuousClock.now
        let all = try startConnections(sel)
        try serve(sel)
        if report(all, elapsed: ContinuousClock.now - started) > 0 { throw ExitCode.failure }
    }

    /// Opens every connection without waiting: connect_ex on a non-blocking socket only starts connecting, and the
    /// selector says when the socket is writable — connected, or failed.
    func startConnections(_ sel: Selector<ClientConnection>) throws -> [ClientConnection] {
        let bytes = messages.map { Array($0.utf8) }
        return try (1...connections).map { connid in
            if !quiet { print("starting connection \(connid) to \(endpoint.host):\(endpoint.port)") }
            let sock = try Socket(.inet, .stream)
            try sock.setBlocking(false)
            try sock.connectEx(endpoint.address)
            let conn = ClientConnection(
                connid: connid,
                sock: sock,
                server: "\(endpoint.host):\(endpoint.port)",
                messages: bytes
            )
            try sel.register(sock, events: [.read, .write], data: conn)
            return conn
        }
    }

    /// The lecture's loop: select, serve, until every connection is done — or nothing has come for `timeout`.
    func serve(_ sel: Selector<ClientConnection>) throws {
        var lastProgress = ContinuousClock.now
        while !sel.getMap().isEmpty {
            var progress = false
            for (key, mask) in try sel.select(timeout: 1) {
                progress = true
                key.data.service(mask, quiet: quiet)
                if key.data.isDone {
                    try sel.unregister(key.data.sock)
                    key.data.sock.close()
                    if !quiet { print("closing connection \(key.data.connid)") }
                } else if key.data.wantsToWrite != key.events.contains(.write) {
                    try sel.modify(key, events: key.data.wantsToWrite ? [.read, .write] : .read)
                }
            }
            if progress {
                lastProgress = .now
            } else if lastProgress.duration(to: .now) > .seconds(timeout) {
                for (_, key) in sel.getMap() {
                    key.data.fail(
                        "no reply for \(timeout) s (\(key.data.receivedCount) of \(key.data.expected.count) bytes back)"
                    )
                    try sel.unregister(key.data.sock)
                    key.data.sock.close()
                }
            }
        }
    }

    /// One line per connection (failures always), then the total. Returns how many connections failed.
    func report(_ all: [ClientConnection], elapsed: Duration) -> Int {
        let failed = all.filter { $0.failure != nil }
        for conn in all where !quiet || conn.failure != nil {
            let counts = "sent \(conn.sentCount) bytes, received \(conn.receivedCount) of \(conn.expected.count)"
            print("connection \(conn.connid): \(counts): " + (conn.failure.map { "FAILED — \($0)" } ?? "ok"))
        }
        let sent = all.reduce(0) { $0 + $1.sentCount }
        let received = all.reduce(0) { $0 + $1.receivedCount }
        let milliseconds = Int(elapsed / .milliseconds(1))
        let time = "\(milliseconds / 1000).\(String(milliseconds % 1000 + 1000).dropFirst())"
        print(
            "\(all.count) connections: \(all.count - failed.count) ok, \(failed.count) failed; "
                + "\(sent) bytes sent, \(received) received back in \(time) s"
        )
        return failed.count
    }
}
