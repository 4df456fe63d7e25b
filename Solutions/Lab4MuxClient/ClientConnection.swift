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
        let code = try sock.getSockOpt(.error)
        if code != 0 {
            throw SocketError(call: "connect", target: server, reason: .system(errno: Int32(code)))
        }
        connected = true
        if !quiet { print("connection \(connid) connected") }
    }

    private func receive(quiet: Bool) throws {
        let data = try sock.recv(65536)
        guard !data.isEmpty else {
            return fail("the server closed the connection after \(receivedCount) of \(expected.count) bytes")
        }
        if !quiet { print("received \(repr(data)) from connection \(connid)") }
        let wanted = expected[receivedCount..<min(expected.count, receivedCount + data.count)]
        if let offset = zip(wanted, data).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            return fail(
                "byte \(receivedCount + offset) came back as \(repr([data[offset]])), not \(repr([wanted[wanted.startIndex + offset]]))"
            )
        }
        if data.count > wanted.count {
            return fail("\(data.count - wanted.count) bytes more came back than were sent")
        }
        receivedCount += data.count
    }

    private func send(quiet: Bool) throws {
        if outb.isEmpty && !messages.isEmpty { outb = messages.removeFirst() }
        guard !outb.isEmpty else { return }
        if !quiet { print("sending \(repr(outb)) to connection \(connid)") }
        do {
            let sent = try sock.send(outb)
            outb.removeFirst(sent)
            sentCount += sent
        } catch let error as SocketError where error.isWouldBlock {
            // Not writable after all: the selector will say when.
        }
    }
}
