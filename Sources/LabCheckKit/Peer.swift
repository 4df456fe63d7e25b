import Foundation
import SocketKit
import Synchronization

/// One end of a TCP conversation the checker holds with a program under test. Every call has a timeout and a
/// failure message that says what the checker was waiting for; every byte is logged in the transcript.
public final class Peer: Sendable {
    public let socket: Socket
    public let label: String
    let transcript: Transcript
    let recording: Recording
    /// This connection's number in the recording.
    let connection: Int
    /// A chaotic peer cuts, pauses and coalesces what it sends (see `Chaos`); nil: every send is one write.
    let chaos: Chaos?
    /// Bytes a chaotic peer holds back, to go out with the next send (or before the next receive).
    private let held = Mutex<[UInt8]>([])
    /// The step's other peers: before this one waits for anything, each sends what it held back.
    let group: PeerGroup?

    init(
        socket: Socket,
        label: String,
        transcript: Transcript,
        recording: Recording,
        connection: Int,
        chaos: Chaos?,
        group: PeerGroup? = nil
    ) {
        self.socket = socket
        self.label = label
        self.transcript = transcript
        self.recording = recording
        self.connection = connection
        self.chaos = chaos
        self.group = group
        group?.add(self)
    }

    /// Sends every byte of `text`.
    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) throws {
        try deliver(bytes, described: abbreviatedRepr(bytes))
    }

    /// Sends `bytes`, logged as `described` — whole, or as the chaos schedule says: in pieces, with pauses, or held
    /// back to be coalesced with what follows.
    func deliver(_ bytes: [UInt8], described: String) throws {
        guard let chaos else {
            transcript.log("\(label) → \(described)")
            return try sendQuietly(bytes)
        }
        let (delivery, pieces) = chaos.plan(bytes)
        if delivery == .coalesce {
            held.withLock { $0 += bytes }
            transcript.log("\(label) → \(described) (held back, to go out in one write with what follows)")
            return
        }
        let pending = held.withLock { bytes -> [UInt8] in
            defer { bytes = [] }
            return bytes
        }
        if !pending.isEmpty {
            transcript.log("\(label) → (the \(pending.count) bytes held back go out first, in the same write)")
        }
        transcript.log(
            "\(label) → \(described)"
                + (pieces.count > 1
                    ? " in \(pieces.count) pieces of \(pieces.map { String($0.bytes.count) }.joined(separator: ", ")) bytes"
                    : "")
        )
        for (index, piece) in pieces.enumerated() {
            try sendQuietly((index == 0 ? pending : []) + piece.bytes)
            if piece.pauseAfter > .zero { Thread.sleep(forTimeInterval: Check.seconds(piece.pauseAfter)) }
        }
    }

    /// Sends what a chaotic peer held back: before it waits for a reply, closes or half-closes (or sends in pieces of
    /// its own choosing, `sendInPieces`).
    func flushHeld() throws {
        let pending = held.withLock { bytes -> [UInt8] in
            defer { bytes = [] }
            return bytes
        }
        guard !pending.isEmpty else { return }
        transcript.log("\(label) → (the \(pending.count) bytes held back)")
        try sendQuietly(pending)
    }

    /// Sends without logging the bytes, for callers that log them their own way (as frames, say).
    func sendQuietly(_ bytes: [UInt8]) throws {
        recording.record(.sent(connection: connection, bytes: bytes))
        do {
            try socket.sendAll(bytes)
        } catch let error as SocketError where error.isPeerGone {
            throw CheckFailure(
                "the connection was closed by the other side while the checker was still sending (\(error))"
            )
        } catch let error as SocketError where error.isTimeout {
            throw CheckFailure(
                "could not send for \(Check.describe(Check.replyTimeout)): the other side stopped reading — is it stuck in sendAll() instead of recv()?"
            )
        }
    }

    /// Receives exactly `count` bytes, however they are split, or fails saying what arrived instead.
    public func receive(
        exactly count: Int,
        timeout: Duration = Check.replyTimeout,
        waitingFor what: String,
        stuck: String = "is the server stuck in accept() or recv()?",
        quietly: Bool = false
    ) throws -> [UInt8] {
        try flushHeld()  // what a chaotic peer held back goes out first: the recording must say so in that order
        recording.record(.awaited(connection: connection, count: count, expected: nil))
        let (received, shortfall) = try receiveUpTo(count, timeout: timeout, quietly: quietly)
        if let shortfall { throw CheckFailure(shortfall.describe(received, of: count, waitingFor: what, stuck: stuck)) }
        return received
    }

    /// Receives until `text`'s bytes have all arrived and checks they are exactly `text`.
    public func expect(
        _ text: String,
        timeout: Duration = Check.replyTimeout,
        waitingFor what: String? = nil,
        stuck: String = "is the server stuck in accept() or recv()?"
    ) throws {
        try expect(Array(text.utf8), timeout: timeout, waitingFor: what ?? "the reply \(quoted(text))", stuck: stuck)
    }

    /// Receives as many bytes as `expected` holds and checks they are exactly those, drawing the first difference.
    public func expect(
        _ expected: [UInt8],
        timeout: Duration = Check.replyTimeout,
        waitingFor what: String,
        stuck: String = "is the server stuck in accept() or recv()?"
    ) throws {
        try flushHeld()
        recording.record(.awaited(connection: connection, count: expected.count, expected: expected))
        let (received, shortfall) = try receiveUpTo(expected.count, timeout: timeout)
        if let shortfall {
            throw CheckFailure(
                shortfall.describe(received, of: expected.count, waitingFor: what, stuck: stuck, expected: expected)
            )
        }
        guard received != expected else { return }
        let difference = byteDifference(expected: expected, received: received) ?? ""
        throw CheckFailure(
            "the reply should have been \(showText(expected)), but instead it was \(show(received))\n" + difference
        )
    }

    /// Why fewer bytes came than awaited.
    enum Shortfall {
        case closed, reset
        case timedOut(Duration)

        func describe(
            _ received: [UInt8],
            of count: Int,
            waitingFor what: String,
            stuck: String,
            expected: [UInt8]? = nil
        ) -> String {
            // What did come, and whether it was right so far: a dump of half a megabyte helps nobody.
            let difference = expected.flatMap {
                byteDifference(expected: Array($0.prefix(received.count)), received: received)
            }
            let came: String
            if received.isEmpty {
                came = "before any reply came"
            } else if difference != nil {
                came = "after \(received.count) of \(count) bytes, which already differ from what was expected"
            } else if expected != nil {
                came = "after \(received.count) of \(count) bytes, all of them as expected"
            } else if received.count > 64 {
                came = "after \(received.count) of \(count) bytes"
            } else {
                came = "after \(received.count) of \(count) bytes (\(abbreviatedRepr(received)))"
            }
            let message: String
            switch self {
            case .closed:
                message = "the connection was closed \(came), while waiting for \(what)"
            case .reset:
                message =
                    "the connection was reset — the other side closed it abruptly, or crashed — \(came), while waiting for \(what)"
            case .timedOut(let timeout):
                let late = "within \(Check.describe(timeout)) while waiting for \(what)"
                let which =
                    came.range(of: ", ").map { " (" + came[$0.upperBound...] + ")" }
                    ?? came.range(of: " (").map { String(came[$0.lowerBound...]) } ?? ""
                message =
                    received.isEmpty
                    ? "no reply \(late) — \(stuck)"
                    : "only \(received.count) of \(count) bytes\(which) came \(late), then nothing more — \(stuck)"
            }
            return message + (difference.map { "\n" + $0 } ?? "")
        }
    }

    /// Receives up to `count` bytes by the deadline; the shortfall says why, if fewer came.
    func receiveUpTo(_ count: Int, timeout: Duration, quietly: Bool = false) throws -> ([UInt8], Shortfall?) {
        var received: [UInt8] = []
        received.reserveCapacity(min(count, 1 << 24))
        let deadline = ContinuousClock.now + timeout
        while received.count < count {
            switch try receiveChunk(max: count - received.count, until: deadline, quietly: quietly) {
            case .bytes(let chunk): received += chunk
            case .closed: return (received, .closed)
            case .reset: return (received, .reset)
            case .timedOut: return (received, .timedOut(timeout))
            }
        }
        return (received, nil)
    }

    /// Sends `bytes` while receiving as many back: sending all first would deadlock once both sides' buffers fill
    /// (the server blocks in sendAll because nobody reads, the checker because the server no longer reads).
    public func roundTrip(
        _ bytes: [UInt8],
        timeout: Duration = .seconds(15),
        waitingFor what: String,
        stuck: String = "is every byte received sent back with sendAll?"
    ) throws -> [UInt8] {
        let sendFailure = Mutex<(any Error)?>(nil)
        let sender = Thread { [self] in
            do {
                try send(bytes)
                try flushHeld()
                // Awaited once sent, as a replay can do it: send all, then receive.
                recording.record(.awaited(connection: connection, count: bytes.count, expected: bytes))
            } catch {
                sendFailure.withLock { $0 = error }
            }
        }
        sender.start()
        let (received, shortfall) = try receiveUpTo(bytes.count, timeout: timeout, quietly: bytes.count > 4096)
        if let shortfall {
            throw CheckFailure(
                shortfall.describe(received, of: bytes.count, waitingFor: what, stuck: stuck, expected: bytes)
            )
        }
        if let failure = sendFailure.withLock({ $0 }) { throw failure }
        return received
    }

    /// Whatever arrives before the peer closes (or `timeout` passes, which fails).
    public func receiveUntilClosed(timeout: Duration = Check.replyTimeout, waitingFor what: String) throws -> [UInt8] {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        while true {
            switch try receiveChunk(max: 65536, until: deadline) {
            case .bytes(let chunk): received += chunk
            case .closed, .reset: return received
            case .timedOut:
                throw CheckFailure(
                    "the connection was still open after \(Check.describe(timeout)) while waiting for \(what)"
                        + (received.isEmpty ? "" : "; received so far: \(abbreviatedRepr(received))")
                )
            }
        }
    }

    /// Nothing may arrive for `duration`: used to show that a server is waiting (for Enter, say).
    public func expectSilence(for duration: Duration, because reason: String) throws {
        switch try receiveChunk(max: 65536, until: ContinuousClock.now + duration) {
        case .timedOut: return
        case .bytes(let chunk): throw CheckFailure("received \(show(chunk)), but \(reason)")
        case .closed, .reset: throw CheckFailure("the connection closed, but \(reason)")
        }
    }

    /// Half-closes: the other side reads end of file, and can still answer.
    public func shutdownWrite() throws {
        try flushHeld()
        transcript.log("\(label) → (end of file: shutdown(.write))")
        recording.record(.halfClosed(connection: connection))
        try socket.shutdown(.write)
    }

    /// Vanishes abruptly: close with SO_LINGER 0 sends a reset instead of an orderly end of file.
    public func reset() {
        try? flushHeld()
        transcript.log("\(label) → (reset: closed abruptly)")
        recording.record(.reset(connection: connection))
        try? socket.setSockOpt(.linger, 0)
        socket.close()
    }

    public func close() {
        try? flushHeld()
        transcript.log("\(label) → (closed)")
        recording.record(.closed(connection: connection))
        socket.close()
    }

    private enum Chunk {
        case bytes([UInt8])
        case closed
        case reset
        case timedOut
    }

    /// One recv, with the deadline as its timeout; `quietly` logs only the end of the stream.
    private func receiveChunk(max: Int, until deadline: ContinuousClock.Instant, quietly: Bool = false) throws -> Chunk
    {
        try flushHeld()
        group?.flushOthers(than: self)
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return .timedOut }
        try socket.setTimeout(Check.seconds(left))
        defer { try? socket.setTimeout(Check.seconds(Check.replyTimeout)) }
        do {
            let chunk = try socket.recv(Swift.min(max, 65536))
            if !chunk.isEmpty { recording.record(.received(connection: connection, bytes: chunk)) }
            if !quietly || chunk.isEmpty {
                transcript.log("\(label) ← " + (chunk.isEmpty ? "(end of file)" : abbreviatedRepr(chunk)))
            }
            return chunk.isEmpty ? .closed : .bytes(chunk)
        } catch let error as SocketError where error.isTimeout {
            return .timedOut
        } catch let error as SocketError where error.isPeerGone {
            transcript.log("\(label) ← (reset: \(error))")
            return .reset
        }
    }
}

/// The peers of one step. A chaotic peer holds bytes back until its own next send or receive — but the reply the
/// checker waits for may come on another connection (a SEND relayed to someone else): so before any peer waits, every
/// peer of the step sends what it held back. (The step's end empties the group.)
final class PeerGroup: Sendable {
    private let peers = Mutex<[Peer]>([])

    func add(_ peer: Peer) {
        peers.withLock { $0.append(peer) }
    }

    /// What the others held back goes out now; one whose connection has gone keeps it (its own send will say so).
    func flushOthers(than peer: Peer) {
        for other in peers.withLock({ $0 }) where other !== peer { try? other.flushHeld() }
    }

    /// Everything held back goes out now (the check waits for a program next, not for a peer).
    func flushAll() {
        for peer in peers.withLock({ $0 }) { try? peer.flushHeld() }
    }

    func removeAll() {
        peers.withLock { $0.removeAll() }
    }
}
