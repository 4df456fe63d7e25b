import Foundation
import FrameKit
import SocketKit

/// Lab 5: a peer that speaks frames. Every frame is logged as it prints (`HELLO "Kim"`), failures say which frame was
/// expected and which came.
extension Peer {
    /// Sends one frame, logged as it prints — whole, or as a chaotic peer's schedule cuts it.
    public func send(_ frame: Frame) throws {
        try deliver(frame.encoded(), described: "\(frame)")
    }

    public func send(_ message: Message) throws {
        try send(message.frame)
    }

    /// Sends `bytes` in pieces of the given sizes (cycling through them), a moment apart, with Nagle's algorithm off:
    /// each piece reaches the other side in a `recv` of its own, as it would over a slow network.
    /// The pieces are the check's own choice: a chaotic peer cuts them no further (what it held back goes first).
    public func sendInPieces(_ bytes: [UInt8], sizes: [Int], pause: Duration = .milliseconds(15)) throws {
        try socket.setSockOpt(.noDelay, true)
        try flushHeld()
        transcript.log(
            "\(label) → \(bytes.count) bytes in pieces of \(sizes.map(String.init).joined(separator: ", "))…"
        )
        var start = 0
        var index = 0
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, sizes[index % sizes.count]))
            try sendQuietly(Array(bytes[start..<end]))
            start = end
            index += 1
            if start < bytes.count { Thread.sleep(forTimeInterval: Check.seconds(pause)) }
        }
    }

    /// Receives one whole frame, or fails saying what was awaited (and what arrived instead). `stuck` is the advice
    /// when nothing more comes; by default, that the router may not be reading (no header) or may have sent only
    /// part of a frame (a body cut short).
    public func receiveFrame(
        timeout: Duration = Check.replyTimeout,
        waitingFor what: String,
        stuck: String? = nil
    ) throws -> Frame {
        let deadline = ContinuousClock.now + timeout
        let header = try receive(
            exactly: Frame.headerSize,
            timeout: timeout,
            waitingFor: what,
            stuck: stuck ?? "is the router reading this connection?",
            quietly: true
        )
        let type = FrameType(UInt16(header[0]) << 8 | UInt16(header[1]))
        let length = header[2...].reduce(0) { $0 << 8 | Int($1) }
        guard length <= 1 << 24 else {
            throw CheckFailure(
                "a frame header announced a body of \(length) bytes (\(repr(header))) while waiting for \(what)"
            )
        }
        let body = try receive(
            exactly: length,
            timeout: max(.zero, ContinuousClock.now.duration(to: deadline)) + .milliseconds(500),
            waitingFor: "the \(length)-byte body of a \(type) frame (\(what))",
            stuck: stuck ?? "was the whole frame sent?",
            quietly: true
        )
        let frame = Frame(type, body: body)
        transcript.log("\(label) ← \(frame)")
        return frame
    }

    /// Receives one frame and checks it is `expected`.
    public func expect(
        _ expected: Frame,
        timeout: Duration = Check.replyTimeout,
        waitingFor what: String? = nil,
        stuck: String? = nil
    ) throws {
        let got = try receiveFrame(timeout: timeout, waitingFor: what ?? "\(expected)", stuck: stuck)
        guard got == expected else {
            throw CheckFailure(
                "the frame should have been \(expected), but instead it was \(got)"
                    + (what.map { " (waiting for \($0))" } ?? "")
            )
        }
    }

    public func expect(
        _ message: Message,
        timeout: Duration = Check.replyTimeout,
        waitingFor what: String? = nil,
        stuck: String? = nil
    ) throws {
        try expect(message.frame, timeout: timeout, waitingFor: what, stuck: stuck)
    }

    /// Receives one frame and checks it is an ERROR with `code` (any message).
    public func expectError(_ code: ErrorCode, timeout: Duration = Check.replyTimeout, after what: String) throws {
        let got = try receiveFrame(
            timeout: timeout,
            waitingFor: "ERROR \(code.rawValue) after \(what)",
            stuck: "the protocol says: answer with ERROR \"\(code.rawValue)\\n…\""
        )
        guard got.type == .error, got.body.starts(with: Array((code.rawValue + "\n").utf8)) else {
            throw CheckFailure(
                "after \(what) the frame should have been ERROR \"\(code.rawValue)\\n…\", but instead it was \(got)"
            )
        }
    }

    /// HELLO under `name`, then the WELCOME it must bring.
    public func logIn(as name: String) throws {
        try send(.hello(name))
        try expect(.welcome(name), waitingFor: "WELCOME \"\(name)\" after HELLO \"\(name)\"")
    }
}
