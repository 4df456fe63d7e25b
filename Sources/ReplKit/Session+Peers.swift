import LabSupport
import SocketKit

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

// What the peer commands do. Every socket is non-blocking: waits happen in the event loop, where Ctrl-C and the
// other peers are still served.

extension Session {
    // MARK: Opening

    func connect(host: String, port typed: Int, name requested: String?) throws {
        guard !host.isEmpty else { throw ReplError("connect: the host is empty — try 127.0.0.1") }
        if host.hasPrefix("unix:") {
            throw ReplError("connect: a Unix socket takes no port — connect \(host)")
        }
        let name = try newPeerName(requested, default: "c")
        let port = portMap[typed] ?? typed
        let target = "\(host):\(port)"
        let candidates: [SocketAddress]
        do {
            candidates = try SocketAddress.resolve(host: host, port: port, call: "connect")
        } catch let error as SocketError {
            guard case .resolution(let code) = error.reason else { throw ReplError("connect \(target): \(error)") }
            throw ReplError(
                "connect \(target): cannot resolve \(host) (\(String(cString: gai_strerror(code)).lowercased())) — check the spelling, or use an IP address such as 127.0.0.1"
            )
        }
        var failure: SocketError?
        for address in candidates {
            guard let family = address.family else { continue }
            let socket = try Socket(family, .stream)
            do {
                try establish(socket, to: address)
                let peer = Peer(
                    name: name,
                    role: .outgoing,
                    socket: socket,
                    address: address.description,
                    framing: framing
                )
                peers.append(peer)
                current = peer
                console.show("\(name): connected to \(address)", as: .output)
                recordConnected(peer, host: host)
                return
            } catch let error as SocketError {
                socket.close()
                failure = error
            } catch {
                socket.close()
                throw error
            }
        }
        throw ReplError(explainConnectFailure(failure, host: host, port: port))
    }

    /// A non-blocking connect, waited for in the event loop.
    func establish(_ socket: Socket, to address: SocketAddress) throws {
        try socket.setBlocking(false)
        do {
            try socket.connect(address)
            return
        } catch let error as SocketError where error.isWouldBlock {
            // Under way: it is done when the socket becomes writable.
        }
        guard try wait(upTo: patience, writable: socket.fileno(), until: \.writable) else {
            throw SocketError(call: "connect", target: address.description, reason: .timedOut)
        }
        let code = try socket.getSockOpt(.error)
        if code != 0 {
            throw SocketError(call: "connect", target: address.description, reason: .system(errno: Int32(code)))
        }
    }

    private func explainConnectFailure(_ error: SocketError?, host: String, port: Int) -> String {
        let target = "connect \(host):\(port)"
        guard let error else { return "\(target): that host has no address to connect to — try 127.0.0.1" }
        switch error.reason {
        case .timedOut:
            return
                "\(target): no answer within \(Self.seconds(patience)) s — is the address right, and is nothing blocking it?"
        case .system(let code) where code == ECONNREFUSED:
            let arguments = port == lecturePort ? "" : " ARGS=\"--port \(port)\""
            return "\(target): connection refused — is the server running? start one with: "
                + "make run LAB=3 PROG=echo-server SOLUTION=1\(arguments)"
        case .system(let code):
            return "\(target): \(systemMessage(code))"
        default:
            return "\(target): \(error)"
        }
    }

    func listen(host: String = "127.0.0.1", port typed: Int, name requested: String?) throws {
        let name = try newPeerName(requested, default: "l")
        let port = portMap[typed] ?? typed
        let what = "listen " + (host == "127.0.0.1" ? "" : host + " ") + String(port)
        let socket: Socket
        do {
            socket = try Socket.createServer((host, port))
            try socket.setBlocking(false)
        } catch let error as SocketError {
            switch error.reason {
            case .system(let code) where code == EADDRINUSE:
                throw ReplError(
                    "\(what): that port is in use — is a server (or another labrepl) already listening there? stop it, or try: listen 0 (any free port)"
                )
            case .system(let code) where code == EACCES:
                throw ReplError(
                    "\(what): ports below 1024 need root — pick one above 1023, or 0 for any free port"
                )
            default:
                throw ReplError("\(what): \(error)")
            }
        }
        let address = (try? socket.getSockName().description) ?? "\(host):\(port)"
        let peer = Peer(name: name, role: .listener, socket: socket, address: address, framing: framing)
        peers.append(peer)
        if !(current?.isLiveConnection ?? false) { current = peer }
        console.show("\(name): listening on \(address) (connections will be \(name).1, \(name).2, …)", as: .output)
        recordListening(peer)
    }

    /// `accept`: waits until the listener has a client that no accept has returned and nothing was sent to, and
    /// makes it the current peer.
    func accept(_ name: String?, timeout: Duration?) throws {
        let listener = try acceptingListener(named: name)
        let timeout = timeout ?? defaultWait
        var next: Peer?
        let settled = try wait(upTo: timeout) { _ in
            next = peers.first {
                $0.role == .accepted(by: listener.name) && !$0.takenByAccept && $0.bytesOut == 0 && $0.isOpen
            }
            return next != nil || !listener.isOpen
        }
        guard let next else {
            guard settled else {
                throw ReplError(
                    "accept: no client connected to \(listener.name) within \(Self.seconds(timeout)) s — is the client running? (it connects to \(listener.address))"
                )
            }
            throw ReplError("accept: \(listener.name) is closed — listen again")
        }
        next.takenByAccept = true
        if current !== next {
            current = next
            console.show("\(next.name) is now the current peer", as: .output)
        }
    }

    /// The listener `accept` waits on: the one named, else the current peer if it is a listener, else the only one.
    private func acceptingListener(named name: String?) throws -> Peer {
        if let name {
            let peer = try peer(named: name)
            guard peer.isListener else {
                throw ReplError(
                    "\(name) is not a listener: accept waits for clients of a listener — listen PORT first, or name one: \(listenerNames)"
                )
            }
            return peer
        }
        if let current, current.isListener { return current }
        let listeners = peers.filter { $0.isListener && $0.isOpen }
        guard listeners.count == 1 else {
            throw ReplError(
                listeners.isEmpty
                    ? "accept: there is no listener — listen PORT first (listen \(lecturePort) plays the lecture's server)"
                    : "accept: which listener? there are \(listeners.count): accept \(listeners[0].name), or accept \(listeners[1].name)"
            )
        }
        return listeners[0]
    }

    private var listenerNames: String {
        let names = peers.filter(\.isListener).map(\.name)
        return names.isEmpty ? "there is none yet" : names.joined(separator: ", ")
    }

    /// The name for a new peer: the one asked for (which must be free, or belong to a closed peer, which goes), or
    /// the first free one of `base`, `base2`, `base3`, …
    func newPeerName(_ requested: String?, default base: String) throws -> String {
        guard let requested else {
            var number = 1
            var name = base
            while peers.contains(where: { $0.name == name }) {
                number += 1
                name = base + String(number)
            }
            return name
        }
        let allowed = requested.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        guard allowed, requested.first!.isLetter, requested.count <= 32 else {
            throw ReplError(
                "\(asTyped(requested)) cannot be a peer name: use a-z, A-Z, digits, . _ and -, starting with a letter (at most 32)"
            )
        }
        if let existing = peers.first(where: { $0.name == requested }) {
            guard !existing.isOpen else {
                throw ReplError(
                    "there is already a peer named \(requested) — close \(requested) first, or choose another name"
                )
            }
            remove(existing)
        }
        return requested
    }

    private func remove(_ peer: Peer) {
        peers.removeAll { $0 === peer }
        if current === peer { current = nil }
    }

    // MARK: Choosing and closing

    /// The peer of that name, or the current one when `name` is nil.
    func peer(named name: String?) throws -> Peer {
        if let name {
            guard let peer = peers.first(where: { $0.name == name }) else {
                let known =
                    peers.isEmpty
                    ? "there are none yet" : "peers lists them: " + peers.map(\.name).joined(separator: ", ")
                throw ReplError("no peer named \(name) — \(known)")
            }
            return peer
        }
        guard let current else {
            throw ReplError("no current peer — connect HOST PORT, listen PORT, or use NAME first")
        }
        return current
    }

    /// The connection that data commands use: the current peer, which must be a connection that can send.
    func sendingPeer() throws -> Peer {
        let peer = try peer(named: nil)
        guard !peer.isListener else {
            throw ReplError(
                "\(peer.name) is a listener: it accepts connections, it does not send — wait for a client (it becomes \(peer.name).\(peer.accepted + 1)), or pick a connection with: use NAME"
            )
        }
        guard peer.canSend else {
            let why = peer.state == .writeShut ? "you shut down its write side" : "it is closed"
            throw ReplError("cannot send to \(peer.name): \(why) — connect again, or use another peer")
        }
        return peer
    }

    func use(_ name: String) throws {
        let peer = try peer(named: name)
        current = peer
        console.show("\(peer.name) is now the current peer" + (peer.isOpen ? "" : " (it is closed)"), as: .output)
    }

    func close(_ name: String?) throws {
        let peer = try peer(named: name)
        flushDecoders(of: peer)
        peer.shutDown()
        remove(peer)
        recording?.append(.closed(peer: peer.name))
        let summary =
            peer.isListener
            ? "it accepted \(peer.accepted) connection\(peer.accepted == 1 ? "" : "s"); they stay open"
            : "\(peer.bytesIn) bytes in, \(peer.bytesOut) out"
        console.show("\(peer.name): closed (\(summary))", as: .output)
    }

    /// `shutdown write`: a half-close. The peer reads end of stream; we can still receive.
    func shutdownWrite(_ name: String?) throws {
        let peer = try peer(named: name)
        guard !peer.isListener else {
            throw ReplError("\(peer.name) is a listener: there is nothing to shut down — close \(peer.name) stops it")
        }
        guard peer.canSend else {
            throw ReplError("\(peer.name) is already \(peer.state.rawValue)")
        }
        try peer.socket.shutdown(.write)
        recording?.append(.shutDown(peer: peer.name))
        flush(&peer.outbound, of: peer, as: .sent)
        if peer.state == .peerClosed {
            peer.shutDown()
            console.show(
                "\(peer.name): write side shut down; the peer had closed its side too — connection closed",
                as: .output
            )
        } else {
            peer.state = .writeShut
            console.show(
                "\(peer.name): write side shut down — the peer reads end of stream; you can still receive",
                as: .output
            )
        }
    }

    /// Closes every peer: `quit`, Ctrl-D, the end of a script. Says which it closed.
    public func closeAll() {
        let open = peers.filter(\.isOpen)
        for peer in peers {
            if peer.isOpen { flushDecoders(of: peer) }
            peer.shutDown()
        }
        peers = []
        current = nil
        if !open.isEmpty { console.show("closed " + open.map(\.name).joined(separator: ", "), as: .output) }
        if telegram != nil { try? telegramDisconnect() }
    }

    func flushDecoders(of peer: Peer) {
        flush(&peer.inbound, of: peer, as: .received)
        flush(&peer.outbound, of: peer, as: .sent)
    }

    func peerTable() -> String {
        guard !peers.isEmpty else { return "no peers yet — connect HOST PORT, or listen PORT" }
        let header = ["", "NAME", "STATE", "ADDRESS", "IN", "OUT"]
        let rows = peers.map { peer -> [String] in
            let mark = peer === current ? "*" : ""
            guard !peer.isListener else {
                return [mark, peer.name, "\(peer.state.rawValue) (\(peer.accepted) accepted)", peer.address, "", ""]
            }
            return [mark, peer.name, peer.state.rawValue, peer.address, String(peer.bytesIn), String(peer.bytesOut)]
        }
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max()! }
        // Text columns line up on the left, byte counts on the right.
        return ([header] + rows).map { row in
            row.indices.map { column in
                let cell = row[column]
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column >= 4 ? padding + cell : cell + padding
            }.joined(separator: " ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    // MARK: Sending

    /// Sends every byte to the current peer and shows them. While the peer's buffers are full, the event loop
    /// keeps reading from everyone: an echo server can only take more once its echoes have been taken.
    func send(_ bytes: [UInt8]) throws {
        let peer = try sendingPeer()
        var sent = 0
        defer {
            if sent > 0 {
                recording?.append(.sent(peer: peer.name, bytes: Array(bytes[..<sent])))
                show(Array(bytes[..<sent]), through: &peer.outbound, of: peer, as: .sent)
            }
        }
        while sent < bytes.count {
            do {
                let count = try peer.socket.send(bytes[sent...])
                sent += count
                peer.bytesOut += count
            } catch let error as SocketError where error.isWouldBlock {
                let room = try wait(upTo: patience, writable: peer.socket.fileno()) { $0.writable || !peer.canSend }
                guard room else {
                    throw ReplError(
                        "send to \(peer.name): the peer has taken nothing for \(Self.seconds(patience)) s (\(sent) of \(bytes.count) bytes sent) — is it reading?"
                    )
                }
                guard peer.canSend else {
                    throw ReplError("send to \(peer.name): the connection closed after \(sent) of \(bytes.count) bytes")
                }
            } catch let error as SocketError where error.isPeerGone {
                peer.shutDown()
                throw ReplError(
                    "send to \(peer.name): the peer has closed the connection (\(sent) of \(bytes.count) bytes sent) — close \(peer.name), or connect again"
                )
            }
        }
    }

    func sendFile(_ path: String) throws {
        let expanded = path.hasPrefix("~/") ? (homeDirectory() ?? "~") + path.dropFirst() : path
        guard let file = fopen(expanded, "rb") else {
            let code = errno
            var folder = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let here =
                getcwd(&folder, folder.count) == nil
                ? "." : String(decoding: folder.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ReplError("sendfile \(path): \(systemMessage(code)) (a relative path starts in \(here))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            bytes += buffer[..<count]
            if count < buffer.count { break }
            guard bytes.count <= 64 << 20 else {
                throw ReplError("sendfile \(path): larger than 64 MiB — send a smaller file")
            }
        }
        if ferror(file) != 0 { throw ReplError("sendfile \(path): cannot read it (is it a folder?)") }
        try send(bytes)
    }

    // MARK: Receiving

    /// `recv [N]`: waits until the current peer has sent something that no recv or expect has taken yet, and takes
    /// up to N bytes of it (all, without N) — in frames mode whole frames, at least one. The data itself was shown
    /// when it arrived. End of stream ends the wait too, as recv returns b'' in Python.
    func recv(upTo limit: Int?, timeout: Duration?) throws {
        _ = try peer(named: nil)
        let timeout = timeout ?? defaultWait
        let arrived = try wait(upTo: timeout) { _ in
            guard let peer = current, !peer.isListener else { return false }
            return !unreadMessages(of: peer).isEmpty || !peer.wantsInput
        }
        guard arrived, let peer = current else { throw nothingFromCurrentPeer("recv", within: timeout) }
        guard let messages = framing.wholeMessages(in: peer.unread) else {
            peer.unread.removeFirst(min(limit ?? peer.unread.count, peer.unread.count))
            return
        }
        var taken = 0
        for message in messages where taken == 0 || taken + message.bytes.count <= limit ?? .max {
            taken += message.bytes.count
        }
        peer.unread.removeFirst(taken)
    }

    /// `expect TEXT`: waits until the current peer's unread data contains TEXT, and takes everything up to its end
    /// (and a line break right after it). In frames mode it waits for a frame that matches TEXT as it is shown
    /// (its type, its body, or both), and takes the frames up to that one, whole.
    func expect(_ text: String, timeout: Duration?) throws {
        let wanted = try unescape(text)
        guard !wanted.isEmpty else { throw ReplError("expect needs some text to wait for") }
        _ = try peer(named: nil)
        let timeout = timeout ?? defaultWait
        var end: Int?
        let settled = try wait(upTo: timeout) { _ in
            guard let peer = current, !peer.isListener else { return false }
            end = endOfMatch(text, wanted, in: peer)
            return end != nil || !peer.wantsInput
        }
        let what = "expect \(asTyped(text))"
        guard settled, let peer = current, !peer.isListener else { throw nothingFromCurrentPeer(what, within: timeout) }
        guard let end else {
            throw ReplError(
                "\(what): \(peer.name) closed the connection without sending it (\(describeUnread(of: peer)))"
            )
        }
        peer.unread.removeFirst(end)
        guard framing.wholeMessages(in: []) == nil else { return }
        // And the line break right after it: otherwise `expect hello` then `recv` would return at once with the "\n".
        let lineBreaks: [[UInt8]] = [[0x0D, 0x0A], [0x0A]]
        if let lineBreak = lineBreaks.first(where: peer.unread.starts(with:)) {
            peer.unread.removeFirst(lineBreak.count)
        }
    }

    /// How many of the peer's unread bytes `expect` takes: up to the end of TEXT, or of the first whole message that
    /// matches it. Nil: not there yet.
    private func endOfMatch(_ text: String, _ wanted: [UInt8], in peer: Peer) -> Int? {
        guard let messages = framing.wholeMessages(in: peer.unread) else {
            return peer.unread.firstRange(of: wanted)?.upperBound
        }
        var end = 0
        for message in messages {
            end += message.bytes.count
            if framing.message(message, matches: text) { return end }
        }
        return nil
    }

    /// What recv and expect may take: bytes, or in frames mode the whole frames among them.
    private func unreadMessages(of peer: Peer) -> [FramedMessage] {
        framing.wholeMessages(in: peer.unread) ?? (peer.unread.isEmpty ? [] : [FramedMessage(peer.unread)])
    }

    /// "unread: WELCOME "Kim"" (frames), "unread: b'hello'" (bytes), or "unread: nothing".
    private func describeUnread(of peer: Peer) -> String {
        guard !peer.unread.isEmpty else { return "unread: nothing" }
        guard let messages = framing.wholeMessages(in: peer.unread) else {
            return "unread: " + shortRepr(peer.unread, limit: 80)
        }
        let whole = messages.reduce(0) { $0 + $1.bytes.count }
        let shown = messages.prefix(5).map { $0.text ?? shortRepr($0.bytes, limit: 40) }
        var parts = messages.count > 5 ? shown + ["… (\(messages.count) frames in all)"] : shown
        if peer.unread.count > whole { parts.append("\(peer.unread.count - whole) bytes of a frame still arriving") }
        return "unread: " + parts.joined(separator: ", ")
    }

    private func nothingFromCurrentPeer(_ what: String, within timeout: Duration) -> ReplError {
        let seconds = Self.seconds(timeout)
        guard let peer = current else { return ReplError("\(what): the current peer went away") }
        if peer.isListener {
            return ReplError(
                "\(what): no client connected to \(peer.name) within \(seconds) s — is the client running? (it connects to \(peer.address))"
            )
        }
        let hint = peer.unread.isEmpty && peer.bytesOut == 0 ? " — is it waiting for you to send first?" : ""
        let unread = peer.unread.isEmpty ? "nothing unread" : describeUnread(of: peer)
        return ReplError("\(what): not seen from \(peer.name) within \(seconds) s (\(unread))\(hint)")
    }

    /// "5", "0.5": seconds as a person writes them.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = (duration / .milliseconds(1)).rounded()
        return milliseconds.truncatingRemainder(dividingBy: 1000) == 0
            ? String(Int(milliseconds / 1000)) : String(milliseconds / 1000)
    }
}

/// strerror's text, starting lower-case to read as part of a sentence.
func systemMessage(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
}

func homeDirectory() -> String? {
    if let home = getenv("HOME") { return String(cString: home) }
    guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
    return String(cString: directory)
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
