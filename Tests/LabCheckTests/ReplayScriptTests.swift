import Foundation
import LabCheckKit
import LabSupport
import ProcessKit
import TestSupport
import Testing

/// The replay script a failed client step writes plays the server in labrepl (`listen`, then `accept`): run against
/// the reference client it passes, against the client that failed it fails, with status 1.
@Suite struct ReplayScriptTests {
    /// A lab 3 client that connects and then sends nothing: step 4 waits for its message in vain.
    static let silentClient = """
        #!/usr/bin/env python3
        import socket, sys, time
        port = int(sys.argv[sys.argv.index('--port') + 1])
        connection = socket.create_connection(('127.0.0.1', port))
        time.sleep(20)
        """

    @Test(.requires(tool: "python3")) func aClientStepsScriptWaitsForTheClientAndJudgesIt() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let client = folder + "/lab3-echo-client"
        try writeExecutable(Self.silentClient, to: client)

        var runner = LabRunner(lab: try #require(Lab.numbered(3)), binDirectory: folder, solution: false)
        runner.replayDirectory = folder
        let failure = try #require(runner.run(only: 4).first?.stepFailure, "the silent client passed step 4")
        let script = folder + "/lab3-step4.repl"
        #expect(
            failure.replay.first == "make repl ARGS=\"--script \(script)\"    # in one terminal: the checker's side"
        )
        let commands = try String(contentsOfFile: script, encoding: .utf8).split(separator: "\n").filter {
            !$0.hasPrefix("#")
        }
        #expect(
            commands.prefix(3) == ["listen \(lecturePort) as server", "accept server timeout 60", "recv 12 timeout 5"]
        )

        // The script names the lecture's port; --map-port gives it a free one, as make check does.
        let products = try productsDirectory()
        func replay(withClient program: String) throws -> ChildProcess {
            let repl = try ChildProcess(
                products + "/labrepl",
                ["--script", script, "--map-port", "\(lecturePort)=0"],
                timeLimit: .seconds(60)
            )
            let listening = try #require(
                repl.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("server: listening on ") },
                "the script did not listen: \(repl.standardError)"
            )
            let port = try #require(listening.firstMatch(of: /127\.0\.0\.1:(\d+)/).map { String($0.1) })
            let client = try ChildProcess(program, ["--port", port, "Hello, world"], timeLimit: .seconds(30))
            defer { client.stop() }
            _ = repl.waitForExit(timeout: .seconds(20))
            return repl
        }
        let passing = try replay(withClient: products + "/lab3-echo-client-solution")
        #expect(passing.termination == .exited(0), "\(passing.standardError)")
        #expect(passing.standardOutput.contains("server.1 ← b'Hello, world'"))

        let failing = try replay(withClient: client)
        #expect(failing.termination == .exited(1))
        #expect(
            failing.standardError.contains("\(script):5: recv: not seen from server.1 within 5 s"),
            "\(failing.standardError)"
        )
    }
}
