import LabSupport
import SocketKit

/// One connection's state: the lecture's `types.SimpleNamespace(connid=…, msg_total=…, recv_total=…, messages=…,
/// outb=b"")`, plus what is needed to check the echo byte by byte.
final class ClientConnection {
    let connid: Int
    let sock: Socket
    let server: String
    /// Messages not yet started, and the rest of the one being sent.
    var messages: [[UInt8]]
    var outb: [UInt8] = []
    /// Every message, one after the other: what must come back.
    let expected: [UInt8]
    var sentCount = 0
    var receivedCount = 0
    var connected = false
    var failure: String?

    init(connid: Int, sock: Socket, server: String, messages: [[UInt8]]) {
        self.connid = connid
        self.sock = sock
        self.server = server
        self.messages = messages
        self.expected = messages.flatMap { $0 }
    }

    var isDone: Bool { failure != nil || receivedCount == expected.count }
    var wantsToWrite: Bool { !outb.isEmpty || !messages.isEmpty }

    func fail(_ reason: String) {
        if failure == nil { failure = reason }
    }

    /// What one event means: the first one ends the connect; then read on .read, write on .write. An error fails
    /// this connection only.
    func service(_ mask: SelectorEvents, quiet: Bool) {
        do {
            if !connected { try finishConnecting(quiet: quiet) }
            if mask.contains(.read) { try receive(quiet: quiet) }
            if mask.contains(.write) && failure == nil { try send(quiet: quiet) }
        } catch {
            fail("\(error)")
        }
    }

    /// A non-blocking connect reports its outcome in SO_ERROR once the socket is ready.
    private func finishConnecting(quiet: Bool) throws {
        // TODO step 5: getSockOpt(.error) non-zero: throw SocketError(call: "connect", target: server,
        //   reason: .system(errno: Int32(code))); otherwise connected = true, and unless quiet print
        //   "connection N connected".
        throw NotImplemented("step 5 — did the connect succeed?")
    }

    private func receive(quiet: Bool) throws {
        // TODO step 6: recv; empty means the server closed early: fail. Unless quiet print
        //   "received <repr(data)> from connection N". Compare with expected from receivedCount on: fail naming
        //   the first differing byte, or bytes beyond what was sent; then count them.
        throw NotImplemented("step 6 — receive and compare")
    }

    private func send(quiet: Bool) throws {
        // TODO step 6: with outb empty, take the next message; unless quiet print "sending <repr(outb)> to
        //   connection N"; send what the socket takes (a would-block error sends nothing), drop it from outb and
        //   count it.
        throw NotImplemented("step 6 — send the next bytes")
    }
}
