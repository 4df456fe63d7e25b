import ArgumentParser
import LabSupport
import SocketKit

/// The lecture's multi-connection client: opens every connection at once, without waiting for any, sends each the
/// same messages through one selector, and checks that every byte comes back, in order.
/// Work through Labs/04-multiplexed-echo/README.md (steps 5 and 6) and check with `make check LAB=4 STEP=5`.
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
        // TODO step 5: for connid in 1...connections: unless quiet print "starting connection N to HOST:PORT"; a
        //   non-blocking socket; connectEx(endpoint.address); register it for [.read, .write] with a new
        //   ClientConnection (server: "HOST:PORT") as its data.
        throw NotImplemented("step 5 — start every connection at once")
    }

    /// The lecture's loop: select, serve, until every connection is done — or nothing has come for `timeout`.
    func serve(_ sel: Selector<ClientConnection>) throws {
        // TODO step 5: while sel.getMap() is not empty: select(timeout: 1) and service each key's connection; a
        //   connection that isDone is unregistered and closed ("closing connection N" unless quiet); one that no
        //   longer wantsToWrite is modified to .read only. After `timeout` seconds without any event, fail every
        //   connection left ("no reply for … s") and close it.
        throw NotImplemented("step 5 — the select loop")
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
