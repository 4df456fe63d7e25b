import Foundation
import LabSupport
import Testing

@testable import LabCheckKit

/// What the checker's own peer says when a reply is wrong or stops short: a caret, not a dump.
@Suite struct PeerTests {
    /// A Python echo server that misbehaves as told: `flip` XORs one byte of the echo, `stopAfter` echoes only so
    /// many bytes and then keeps the connection open without sending more.
    static func server(flip: Int? = nil, stopAfter: Int? = nil) -> String {
        """
        exec python3 -c '
        import socket, sys
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
        print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
        c, _ = s.accept(); sent = 0
        while True:
            data = bytearray(c.recv(65536))
            if not data: break
            if \(flip.map(String.init) ?? "None") is not None and sent <= \(flip ?? 0) < sent + len(data): data[\(flip ?? 0) - sent] ^= 0x20
            room = \(stopAfter.map(String.init) ?? "len(data) + sent") - sent
            c.sendall(data[:max(0, room)]); sent += len(data)
        '
        """
    }

    static func failure(of script: String, _ body: @escaping @Sendable (Peer) throws -> Void) throws -> StepFailure {
        let fake = try FakeLab(["server": script])
        defer { fake.remove() }
        let step = Step(1, "echo", hint: "h") { check in
            let (_, port) = try check.startServer("server")
            try body(try check.connect(to: port))
        }
        let failure = try #require(fake.run([step]).failure(1))
        // Every failure with a connection leaves its bytes on the wire behind, named in the message.
        let capture = try #require(failure.capture)
        #expect(capture.hasSuffix("lab9-step1.pcapng") && FileManager.default.fileExists(atPath: capture))
        return failure
    }

    @Test func aWrongReplyIsDrawnWithACaret() throws {
        let failure = try Self.failure(of: Self.server(flip: 7)) { peer in
            try peer.send("Hello, world")
            try peer.expect("Hello, world", waitingFor: "the echo")
        }
        #expect(
            failure.message.hasPrefix("the reply should have been \"Hello, world\", but instead it was b'Hello, World'")
        )
        #expect(failure.message.contains("first difference at byte 7 (of 12 expected, 12 received)"))
        #expect(failure.message.contains("^^"))
    }

    @Test func aStalledEchoSaysHowMuchCameAndThatItWasRight() throws {
        let failure = try Self.failure(of: Self.server(stopAfter: 100_000)) { peer in
            let bytes = (0..<262_144).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            _ = try peer.roundTrip(
                bytes,
                timeout: .seconds(1),
                waitingFor: "the echo of 256 KiB",
                stuck: "is the socket watched for writing?"
            )
        }
        #expect(
            failure.message.hasPrefix(
                "only 100000 of 262144 bytes (all of them as expected) came within 1 s while waiting for the echo of 256 KiB, then nothing more — is the socket watched for writing?"
            )
        )
        #expect(!failure.message.contains("b'"))
    }

    @Test func aCorruptedStalledEchoShowsWhereItWentWrong() throws {
        let flipped = 5_000  // the byte the server changes
        let failure = try Self.failure(of: Self.server(flip: flipped, stopAfter: 100_000)) { peer in
            let bytes = (0..<262_144).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            _ = try peer.roundTrip(bytes, timeout: .seconds(1), waitingFor: "the echo of 256 KiB")
        }
        #expect(failure.message.contains("(which already differ from what was expected)"))
        #expect(failure.message.contains("first difference at byte \(flipped)"))
    }
}

/// The command lines a failure quotes for a person to run again.
@Suite struct RetypedCommandTests {
    @Test func onlyThePortGoesEveryOtherOptionKeepsItsValueQuotedAsAShellNeedsIt() {
        let arguments = ["--host", "::1", "--port", "40123", "--name", "Hong, Gil Dong", "--age", "19"]
        let kept = withoutPort(arguments)
        #expect(kept == ["--host", "::1", "--name", "Hong, Gil Dong", "--age", "19"])
        #expect(kept.map(shellQuoted).joined(separator: " ") == "--host ::1 --name 'Hong, Gil Dong' --age 19")
        #expect(shellQuoted("O'Brien") == #"'O'\''Brien'"#)
        #expect(shellQuoted("김철수") == "'김철수'")
    }
}
