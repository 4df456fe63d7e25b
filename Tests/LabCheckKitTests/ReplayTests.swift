import Foundation
import SocketKit
import Testing

@testable import LabCheckKit

/// A failed step can be replayed by hand: `make run` for the student's program, a labrepl script for the checker's
/// side, on the lecture's port.
@Suite struct ReplayTests {
    static let lab = Lab(
        number: 3,
        title: "Echo",
        folder: "03-echo",
        programs: ["echo-server", "echo-client"],
        steps: []
    )
    static let step = Step(2, "echo", hint: "") { _ in }

    static func address(_ port: Int) throws -> SocketAddress {
        try SocketAddress.resolve(host: "127.0.0.1", port: port)[0]
    }

    /// A server that stops after its first client: the second connect is the failure, and the replay makes it too.
    @Test func aConnectionTheCheckerCouldNotMakeIsTriedAgain() throws {
        let recording = Recording()
        recording.record(.started(program: "echo-server", arguments: ["--port", "0"]))
        recording.record(.listening(program: "echo-server", port: 40001))
        let (local, remote) = (try Self.address(50000), try Self.address(40001))
        recording.record(.connected(connection: 1, label: "client 1", port: 40001, local: local, remote: remote))
        recording.record(.sent(connection: 1, bytes: Array("one".utf8)))
        recording.record(.closed(connection: 1))
        recording.record(
            .connectFailed(connection: 2, label: "client 2", port: 40001, reason: "connect: Connection refused")
        )
        let plan = Replay(lab: Self.lab, step: Self.step, events: recording.events).plan(
            scriptPath: ".labcheck/lab3-step2.repl"
        )
        let script = try #require(plan.script)
        let lines = script.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(
            lines == [
                "connect 127.0.0.1 \(Replay.port) as client-1", "send one", "close client-1",
                "connect 127.0.0.1 \(Replay.port) as client-2",
            ]
        )
        #expect(script.contains("# here the checker could not connect (connect: Connection refused)"))
        #expect(plan.commands.first == "make run LAB=3 PROG=echo-server    # in one terminal")
    }

    @Test func theServersConversationBecomesAScript() throws {
        let recording = Recording()
        recording.record(.started(program: "echo-server", arguments: ["--port", "0", "--pause"]))
        recording.record(.listening(program: "echo-server", port: 40001))
        recording.record(
            .connected(
                connection: 1,
                label: "client 1",
                port: 40001,
                local: try Self.address(50000),
                remote: try Self.address(40001)
            )
        )
        recording.record(.sent(connection: 1, bytes: Array("Hello, world".utf8)))
        recording.record(.typed(program: "lab3-echo-server", text: "\n"))
        recording.record(.awaited(connection: 1, count: 12, expected: Array("Hello, world".utf8)))
        recording.record(.sent(connection: 1, bytes: [0, 0x81, 0xFF]))
        recording.record(.sent(connection: 1, bytes: Array(" spaced ".utf8)))
        recording.record(.halfClosed(connection: 1))
        let plan = Replay(lab: Self.lab, step: Self.step, events: recording.events).plan(
            scriptPath: ".labcheck/lab3-step2.repl"
        )
        #expect(
            plan.commands == [
                "make run LAB=3 PROG=echo-server ARGS=\"--pause\"    # in one terminal",
                "make repl ARGS=\"--script .labcheck/lab3-step2.repl\"    # in another: the checker's side",
            ]
        )
        let lines = try #require(plan.script).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(
            lines == [
                "connect 127.0.0.1 \(Replay.port) as client-1", "send Hello, world", "expect Hello, world",
                "sendhex 00 81 ff",
                "send \" spaced \"", "shutdown client-1 write",
            ]
        )
        #expect(plan.script?.contains("# here the checker typed \"\\n\" into lab3-echo-server") == true)
    }

    @Test func aClientStepScriptListensAndAccepts() throws {
        let recording = Recording()
        recording.record(.started(program: "echo-client", arguments: ["--port", "40002", "Hello, world"]))
        recording.record(
            .accepted(
                connection: 1,
                label: "server",
                port: 40002,
                local: try Self.address(40002),
                remote: try Self.address(50001)
            )
        )
        recording.record(.awaited(connection: 1, count: 12, expected: nil))
        recording.record(.sent(connection: 1, bytes: Array("Hello,".utf8)))
        let plan = Replay(lab: Self.lab, step: Self.step, events: recording.events).plan(scriptPath: "x.repl")
        #expect(plan.commands.last == "make run LAB=3 PROG=echo-client ARGS=\"'Hello, world'\"    # then, in another")
        let lines = try #require(plan.script).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(
            lines == [
                "listen \(Replay.port) as server", "accept server timeout 60", "recv 12 timeout 5", "send Hello,",
            ]
        )
    }

    /// Lab 2 step 7: the checker listened on ::1 for a client told `--host ::1`; the script listens there too.
    @Test func aListenerOnIPv6IsReplayedThere() throws {
        let recording = Recording()
        recording.record(.started(program: "greeting-client", arguments: ["--host", "::1", "--port", "40002"]))
        let six = { (port: Int) in try SocketAddress.resolve(host: "::1", port: port)[0] }
        recording.record(
            .accepted(connection: 1, label: "server", port: 40002, local: try six(40002), remote: try six(50001))
        )
        recording.record(.awaited(connection: 1, count: 18, expected: nil))
        let plan = Replay(lab: Self.lab, step: Self.step, events: recording.events).plan(scriptPath: "x.repl")
        #expect(plan.commands.last == "make run LAB=3 PROG=greeting-client ARGS=\"--host ::1\"    # then, in another")
        let lines = try #require(plan.script).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.first == "listen ::1 \(Replay.port) as server")
    }

    /// Lab 2 step 7 as the walkthrough saw it: the client by name connected, then the client told `--host ::1`
    /// never did. The replay is that last client's, with labrepl listening on ::1 — not the earlier conversation.
    @Test func aClientThatNeverConnectedIsTheReplay() throws {
        let recording = Recording()
        recording.record(.checkerListening(host: "127.0.0.1", port: 40002))
        recording.record(.started(program: "greeting-client", arguments: ["--host", "localhost", "--port", "40002"]))
        recording.record(
            .accepted(
                connection: 1,
                label: "server",
                port: 40002,
                local: try Self.address(40002),
                remote: try Self.address(50001)
            )
        )
        recording.record(.sent(connection: 1, bytes: Array("My name is Kim.".utf8)))
        recording.record(.checkerListening(host: "::1", port: 40003))
        recording.record(.started(program: "greeting-client", arguments: ["--host", "::1", "--port", "40003"]))
        let plan = Replay(lab: Self.lab, step: Self.step, events: recording.events).plan(scriptPath: "x.repl")
        #expect(
            plan.commands == [
                "make repl ARGS=\"--script x.repl\"    # in one terminal: the checker's side",
                "make run LAB=3 PROG=greeting-client ARGS=\"--host ::1\"    # then, in another",
            ]
        )
        let lines = try #require(plan.script).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == ["listen ::1 \(Replay.port) as server", "accept server timeout 60"])
    }

    @Test func withoutConnectionsTheProgramIsTheReplay() {
        let recording = Recording()
        recording.record(.started(program: "greeting", arguments: ["--asker", "Lee, Mong"]))
        let plan = Replay(lab: Self.lab, step: Self.step, events: recording.events).plan(scriptPath: "x.repl")
        #expect(plan.commands == ["make run LAB=3 PROG=greeting ARGS=\"--asker 'Lee, Mong'\""])
        #expect(plan.script == nil)
    }

    /// A Unix socket has no port: the script connects by its path, which the server's command keeps.
    @Test func aUnixSocketIsReplayedByItsPath() throws {
        let path = NSTemporaryDirectory() + "replay-\(getpid()).sock"
        let server = try SocketAddress(unixPath: path)
        let recording = Recording()
        recording.record(.started(program: "echo-server", arguments: ["--unix", path]))
        recording.record(.listening(program: "echo-server", port: 0))
        recording.record(
            .connected(
                connection: 1,
                label: "client",
                port: 0,
                local: try SocketAddress(unixPath: path + "-c"),
                remote: server
            )
        )
        recording.record(.sent(connection: 1, bytes: Array("over a Unix socket".utf8)))
        let plan = Replay(lab: Self.lab, step: Self.step, events: recording.events).plan(scriptPath: "x.repl")
        #expect(plan.commands.first == "make run LAB=3 PROG=echo-server ARGS=\"--unix \(path)\"    # in one terminal")
        let lines = try #require(plan.script).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == ["connect unix:\(path) as client", "send over a Unix socket"])
        // Nor has it a wire: no packets to capture.
        #expect(Capture.pcapng(recording.events, startedAt: recording.startDate) == nil)
    }
}

/// What a check set up on the machine comes first in the replay: without the file it put there, the replay of lab 3
/// step 7's "a file that is not a socket" passes.
@Suite struct PreparedReplayTests {
    @Test func theCheckersSetUpComesFirst() throws {
        let fake = try FakeLab(["server": "echo 'listening on 127.0.0.1:1'; exit 1"])
        defer { fake.remove() }
        let step = Step(1, "refuses", hint: "h") { check in
            check.prepared("a file that is not a socket at /tmp/x.sock", command: "echo notes > /tmp/x.sock")
            let server = try check.start("server", ["--unix", "/tmp/x.sock"])
            try server.waitForExit(timeout: .seconds(5))
            try expect(server.termination == .exited(0), "the server failed")
        }
        let result = try #require(fake.run([step]).first)
        let replay = try #require(result.stepFailure?.replay)
        #expect(
            replay == [
                "echo notes > /tmp/x.sock    # first, as the checker did",
                "make run LAB=9 PROG=server ARGS=\"--unix /tmp/x.sock\"",
            ],
            "\(replay)"
        )
        #expect(result.transcript.contains("a file that is not a socket at /tmp/x.sock"))
    }
}
