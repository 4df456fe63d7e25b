import Foundation
import SocketKit
import Synchronization

/// One end of a TCP conversation the checker holds with a program under test. Every call has a timeout and a
/// failure message that says what the checker was waiting for; every byte is logged in the transcript.
public final class Peer: Sendable {
    public let socket: Socket
    public let label: String
    let transcript: Transcript

    init(socket: Socket, label: String, transcript: Transcript) {
        self.socket = socket
        self.label = label
        self.transcript = transcript
    }

    /// Sends every byte of `text`.
    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) throws {
        transcript.log("\(label) → \(abbreviatedRepr(bytes))")
        try sendQuietly(bytes)
    }

    /// Sends without logging the bytes, for callers that log them their own way (as frames, say).
    func sendQuietly(_ bytes: [UInt8]) throws {
        do {
            try socket.sendAll(bytes)
        } catch let error as SocketError where error.isPeerGone {
            throw CheckFailure("the connection was closed by the other side while the checker was still sending (\(error))")
        } catch let error as SocketError where error.isTimeout {
            throw CheckFailure("could not send for \(Int(Check.seconds(Check.replyTimeout))) s: the other side stopped reading — is it stuck in sendAll() instead of recv()?")
        }
    }

    /// Receives exactly `count` bytes, however they are split, or fails saying what arrived instead.
    public func receive(
        exactly count: Int, timeout: Duration = Check.replyTimeout, waitingFor what: String,
        stuck: String = "is the server stuck in accept() or recv()?", quietly: Bool = false
    ) throws -> [UInt8] {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        func sofar() -> String {
            received.isEmpty ? "before any reply came" : "after \(received.count) of \(count) bytes (\(abbreviatedRepr(received)))"
        }
        while received.count < count {
            switch try receiveChunk(max: count - received.count, until: deadline, quietly: quietly) {
            case .bytes(let chunk):
                received += chunk
            case .closed:
                throw CheckFailure("the connection was closed \(sofar()), while waiting for \(what)")
            case .reset:
                throw CheckFailure(
                    "the connection was reset — the other side closed it abruptly, or crashed — \(sofar()), while waiting for \(what)")
            case .timedOut:
                throw CheckFailure(
                    (received.isEmpty ? "no reply" : "only \(received.count) of \(count) bytes (\(abbreviatedRepr(received)))")
                        + " within \(Int(Check.seconds(timeout))) s while waiting for \(what) — \(stuck)")
            }
        }
        return received
    }

    /// Receives until `text`'s bytes have all arrived and checks they are exactly `text`.
    public func expect(
        _ text: String, timeout: Duration = Check.replyTimeout, waitingFor what: String? = nil,
        stuck: String = "is the server stuck in accept() or recv()?"
    ) throws {
        let expected = Array(text.utf8)
        let got = try receive(
            exactly: expected.count, timeout: timeout, waitingFor: what ?? "the reply \(quoted(text))", stuck: stuck)
        guard got == expected else {
            throw CheckFailure("the reply should have been \(quoted(text)), but instead it was \(show(got))")
        }
    }

    /// Sends `bytes` while receiving as many back: sending all first would deadlock once both sides' buffers fill
    /// (the server blocks in sendAll because nobody reads, the checker because the server no longer reads).
    public func roundTrip(_ bytes: [UInt8], timeout: Duration = .seconds(15), waitingFor what: String) throws -> [UInt8] {
        let sendFailure = Mutex<(any Error)?>(nil)
        let sender = Thread { [self] in
            do { try send(bytes) } catch { sendFailure.withLock { $0 = error } }
        }
        sender.start()
        let received = try receive(exactly: bytes.count, timeout: timeout, waitingFor: what,
                                   stuck: "is every byte received sent back with sendAll?")
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
                    "the connection was still open after \(Int(Check.seconds(timeout))) s while waiting for \(what)"
                        + (received.isEmpty ? "" : "; received so far: \(abbreviatedRepr(received))"))
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
        transcript.log("\(label) → (end of file: shutdown(.write))")
        try socket.shutdown(.write)
    }

    /// Vanishes abruptly: close with SO_LINGER 0 sends a reset instead of an orderly end of file.
    public func reset() {
        transcript.log("\(label) → (reset: closed abruptly)")
        try? socket.setSockOpt(.linger, 0)
        socket.close()
    }

    public func close() {
        transcript.log("\(label) → (closed)")
        socket.close()
    }

    private enum Chunk {
        case bytes([UInt8])
        case closed
        case reset
        case timedOut
    }

    /// One recv, with the deadline as its timeout; `quietly` logs only the end of the stream.
    private func receiveChunk(max: Int, until deadline: ContinuousClock.Instant, quietly: Bool = false) throws -> Chunk {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return .timedOut }
        try socket.setTimeout(Check.seconds(left))
        defer { try? socket.setTimeout(Check.seconds(Check.replyTimeout)) }
        do {
            let chunk = try socket.recv(Swift.min(max, 65536))
            if !quietly || chunk.isEmpty { transcript.log("\(label) ← " + (chunk.isEmpty ? "(end of file)" : abbreviatedRepr(chunk))) }
            return chunk.isEmpty ? .closed : .bytes(chunk)
        } catch let error as SocketError where error.isTimeout {
            return .timedOut
        } catch let error as SocketError where error.isPeerGone {
            transcript.log("\(label) ← (reset: \(error))")
            return .reset
        }
    }
}
