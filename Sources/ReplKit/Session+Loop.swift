import SocketKit

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// What one turn of the event loop saw besides the peers, which it serves itself.
public struct PumpResult: Sendable {
    /// The descriptor the driver asked about (standard input) can be read.
    public var inputReady = false
    /// That descriptor has hung up (the terminal's window was closed): nothing more will come from it.
    public var inputHungUp = false
    /// The descriptor a command waits to write to can take more.
    var writable = false
}

extension Session {
    /// One turn of the event loop: waits up to `timeout` (nil: until something happens) for any peer, for
    /// `input` (the driver's standard input) and for signals; accepts new connections, shows what arrived and
    /// records Ctrl-C. `writable` adds interest in one descriptor becoming writable (a send or connect waiting).
    public func pump(timeout: Duration?, input: Int32? = nil) -> PumpResult {
        pump(timeout: timeout, input: input, writable: nil)
    }

    func pump(timeout: Duration?, input: Int32?, writable: Int32?) -> PumpResult {
        var interests = peers.filter(\.wantsInput).map { Poller.Interest(fd: $0.socket.fileno()) }
        if let writable {
            if let index = interests.firstIndex(where: { $0.fd == writable }) {
                interests[index].write = true
            } else {
                interests.append(Poller.Interest(fd: writable, read: false, write: true))
            }
        }
        if let input { interests.append(Poller.Interest(fd: input)) }
        let signals = SignalPipe.descriptor
        if let signals { interests.append(Poller.Interest(fd: signals)) }
        let botReplies = telegram?.watcher.descriptor
        if let botReplies { interests.append(Poller.Interest(fd: botReplies)) }

        var result = PumpResult()
        for event in Poller.wait(for: interests, timeout: timeout) {
            if event.fd == signals {
                handleSignals()
                continue
            }
            if event.fd == botReplies {
                showBotMessages()
                continue
            }
            if event.fd == input {
                result.inputReady = true
                result.inputHungUp = event.hungUp
            }
            if event.fd == writable, event.writable { result.writable = true }
            if event.readable, let peer = peers.first(where: { $0.wantsInput && $0.socket.fileno() == event.fd }) {
                if peer.isListener { acceptAll(on: peer) } else { receive(from: peer) }
            }
        }
        return result
    }

    /// Runs the event loop until `done` holds (it is asked first, before any waiting). Returns false if `timeout`
    /// passes first; throws `Interrupted` on Ctrl-C. Whatever arrives meanwhile is shown as usual.
    func wait(upTo timeout: Duration, writable: Int32? = nil, until done: (PumpResult) -> Bool) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        var result = PumpResult()
        while true {
            if interruptPending {
                interruptPending = false
                throw Interrupted()
            }
            if done(result) { return true }
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return false }
            result = pump(timeout: left, input: nil, writable: writable)
        }
    }

    private func handleSignals() {
        for number in SignalPipe.drain() {
            switch number {
            case SIGINT: interruptPending = true
            case SIGWINCH: onResize()
            default:
                terminateRequested = true
                interruptPending = true
            }
        }
    }

    // MARK: Incoming

    /// Accepts every connection waiting on a listener and names them after it: l.1, l.2, …
    private func acceptAll(on listener: Peer) {
        while true {
            let socket: Socket
            let address: SocketAddress
            do {
                (socket, address) = try listener.socket.accept()
                try socket.setBlocking(false)
            } catch let error as SocketError where error.isWouldBlock {
                return
            } catch {
                console.show("\(listener.name): \(error)", as: .event)
                return
            }
            var name: String
            repeat {
                listener.accepted += 1
                name = "\(listener.name).\(listener.accepted)"
            } while peers.contains { $0.name == name }
            // A Unix socket's client has no address of its own: it is named after the listener's file.
            let from = address.family == .unix ? "a client of \(listener.address)" : address.description
            let peer = Peer(
                name: name,
                role: .accepted(by: listener.name),
                socket: socket,
                address: from,
                framing: framing
            )
            peers.append(peer)
            // A client that connects is usually the one to talk to next, unless a live connection already is.
            let becomesCurrent = !(current?.isLiveConnection ?? false)
            if becomesCurrent { current = peer }
            console.show(
                "\(name): accepted from \(from)" + (becomesCurrent ? " (now the current peer)" : ""),
                as: .event
            )
            recordAccepted(peer, by: listener.name)
        }
    }

    /// Reads what a connection has for us, a bounded number of times so that one busy peer cannot starve the
    /// others or the keyboard.
    private func receive(from peer: Peer) {
        for _ in 0..<16 {
            let bytes: [UInt8]
            do {
                bytes = try peer.socket.recv(65536)
            } catch let error as SocketError where error.isWouldBlock {
                return
            } catch let error as SocketError where error.isPeerGone {
                finish(peer, "connection reset by the peer (it closed without reading everything, or crashed)")
                return
            } catch {
                finish(peer, "\(error)")
                return
            }
            if bytes.isEmpty {
                endOfStream(from: peer)
                return
            }
            peer.bytesIn += bytes.count
            peer.keepUnread(bytes)
            recording?.append(.arrived(peer: peer.name, bytes: bytes))
            show(bytes, through: &peer.inbound, of: peer, as: .received)
        }
    }

    private func endOfStream(from peer: Peer) {
        flush(&peer.inbound, of: peer, as: .received)
        if peer.state == .writeShut {
            peer.shutDown()
            console.show("\(peer.name): the peer closed its side too — connection closed", as: .event)
        } else {
            peer.state = .peerClosed
            console.show("\(peer.name): the peer closed the connection (end of stream)", as: .event)
        }
    }

    /// A connection that broke: shows why, and closes it.
    private func finish(_ peer: Peer, _ why: String) {
        flush(&peer.inbound, of: peer, as: .received)
        peer.shutDown()
        console.show("\(peer.name): \(why)", as: .event)
    }

    // MARK: Showing data

    /// Shows `bytes` (just received from, or sent to, `peer`) as the messages they complete in the current mode.
    func show(_ bytes: [UInt8], through decoder: inout any MessageDecoder, of peer: Peer, as kind: OutputKind) {
        let messages: [FramedMessage]
        do {
            messages = try decoder.feed(bytes)
        } catch {
            console.show(
                "\(peer.name): \(error) — the bytes follow; set mode raw shows every byte as it comes",
                as: .event
            )
            decoder = framing.makeDecoder()
            messages = [FramedMessage(bytes)]
        }
        for message in messages { console.show(render(message, of: peer, as: kind), as: kind) }
    }

    /// Shows what a decoder still holds (a last line without its newline) and leaves it empty.
    func flush(_ decoder: inout any MessageDecoder, of peer: Peer, as kind: OutputKind) {
        for message in decoder.finish() { console.show(render(message, of: peer, as: kind), as: kind) }
    }

    /// `echo ← b'hello\n'`, or with `set hexdump on` a header and offset/hex/ASCII rows.
    func render(_ message: FramedMessage, of peer: Peer, as kind: OutputKind) -> String {
        let tag = peer.name + (kind == .sent ? " → " : " ← ")
        let limit = 4096
        guard hexdump else {
            guard var text = message.text else { return tag + shortRepr(message.bytes) }
            if text.count > limit { text = String(text.prefix(limit)) + "… (\(message.bytes.count) bytes in all)" }
            return tag + text
        }
        let count = message.bytes.count
        var lines = [tag + (message.text ?? (count == 1 ? "1 byte" : "\(count) bytes"))]
        lines += hexdumpLines(Array(message.bytes.prefix(limit))).map { "  " + $0 }
        if count > limit { lines.append("  … \(count - limit) more bytes") }
        return lines.joined(separator: "\n")
    }
}
