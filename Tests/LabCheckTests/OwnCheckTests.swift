import Foundation
import LabCheckKit
import LabSupport
import ProcessKit
import TestSupport
import Testing

/// Checks of the student's own, as a student makes them: a conversation in labrepl (`record`, `save`), then
/// `make check`, which starts the program the recording talked to and replays it — passing against the reference,
/// failing against a program that answers otherwise.
@Suite struct OwnCheckTests {
    /// A folder laid out like the kit for what these checks touch: `Labs/<lab>/` and `Solutions/` (which
    /// `labcheck --solution` looks for).
    func kitFolder() throws -> String {
        let kit = try makeTemporaryDirectory()
        for folder in ["Labs/03-blocking-echo", "Labs/06-telegram-bot", "Solutions"] {
            try FileManager.default.createDirectory(atPath: "\(kit)/\(folder)", withIntermediateDirectories: true)
        }
        return kit
    }

    /// Runs labrepl in `kit` (where save finds Labs/) with `commands` typed into it.
    func labrepl(in kit: String, _ commands: String) throws -> ChildProcess.Finished {
        try ChildProcess.run(
            "/bin/sh",
            ["-c", "cd \"$1\" && exec \"$2\"", "sh", kit, try productsDirectory() + "/labrepl"],
            input: commands,
            timeout: .seconds(30)
        )
    }

    /// A folder of programs: the kit's labrepl and telegram-sandbox, and `programs` (name → script) in place of a
    /// lab's own.
    func binFolder(_ programs: [String: String]) throws -> String {
        let folder = try makeTemporaryDirectory()
        for tool in ["labrepl", "telegram-sandbox"] {
            try FileManager.default.createSymbolicLink(
                atPath: "\(folder)/\(tool)",
                withDestinationPath: try productsDirectory() + "/\(tool)"
            )
        }
        for (name, script) in programs {
            try writeExecutable(script, to: "\(folder)/\(name)")
        }
        return folder
    }

    /// An echo server that shouts: it echoes every byte in capitals.
    static let shoutingServer = """
        #!/usr/bin/env python3
        import socket, sys
        server = socket.create_server(('127.0.0.1', int(sys.argv[sys.argv.index('--port') + 1])))
        print('listening on 127.0.0.1:%d' % server.getsockname()[1], flush=True)
        while True:
            connection, _ = server.accept()
            while data := connection.recv(4096):
                connection.sendall(data.upper())
            connection.close()
        """

    @Test(.requires(tool: "python3")) func aRecordedEchoConversationIsReplayedByMakeCheck() throws {
        let kit = try kitFolder()
        defer { try? FileManager.default.removeItem(atPath: kit) }
        let (server, port) = try startServer("lab3-echo-server-solution")
        let recorded = try labrepl(
            in: kit,
            """
            record
            connect 127.0.0.1 \(port) as echo
            sendline hello, echo
            expect hello, echo
            send no newline
            expect no newline
            save echo-twice
            quit

            """
        )
        server.stop()
        #expect(recorded.termination == .exited(0), "\(recorded.standardError)")
        let path = "Labs/03-blocking-echo/my-checks/echo-twice.repl"
        #expect(
            recorded.standardOutput.contains(
                "saved \(path): 5 commands, 2 of them expect what arrived, against echo-server of lab 3"
            )
        )
        let script = try String(contentsOfFile: "\(kit)/\(path)", encoding: .utf8)
        #expect(script.contains("\n# needs: make run LAB=3 PROG=echo-server\n"))
        #expect(!script.contains(String(port)), "the port of this one run is in the script:\n\(script)")

        // make check against the reference: the lab's steps, then the check of the student's own.
        let checked = try ChildProcess.run(
            "/bin/sh",
            [
                "-c", "cd \"$1\" && exec \"$2\"/labcheck --lab 3 --solution --bin-dir \"$2\"", "sh", kit,
                try productsDirectory(),
            ],
            timeout: .seconds(120)
        )
        #expect(checked.termination == .exited(0), "\(checked.standardOutput)")
        #expect(
            checked.standardOutput.contains(
                "Your own checks · Labs/03-blocking-echo/my-checks (not scored)\n  ✔ 1  echo-twice"
            )
        )
        let steps = try #require(Lab.numbered(3)).steps.count
        #expect(checked.standardOutput.contains("Score: \(steps)/\(steps) steps"))
        #expect(checked.standardOutput.hasSuffix("Your own checks: 1/1 passed\n"))

        // Against a server that answers otherwise, the check fails at the expect that saw something else.
        let bin = try binFolder(["lab3-echo-server": Self.shoutingServer])
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let checks = OwnCheck.all(of: try #require(Lab.numbered(3)), root: kit)
        let results = OwnChecks.run(
            checks,
            of: try #require(Lab.numbered(3)),
            binDirectory: bin,
            solution: false,
            transcript: Transcript()
        )
        let failure = try #require(results.first?.stepFailure, "the shouting server passed")
        #expect(
            failure.message.contains(
                "\"expect hello, echo\", failed: expect \"hello, echo\": not seen from echo within 5 s (unread: b'HELLO, ECHO\\n')"
            ),
            "\(failure.message)"
        )
        #expect(
            failure.replay == [
                "make run LAB=3 PROG=echo-server    # in a terminal of its own",
                "make repl ARGS=\"--script \(kit)/\(path)\"    # in another",
            ]
        )
    }

    /// A bot of Python's (urllib): `reply` is what it answers a text with, as a Python expression of `text`.
    static func pythonBot(reply: String) -> String {
        """
        #!/usr/bin/env python3
        import json, os, urllib.request
        base, token = os.environ['TELEGRAM_API_URL'], os.environ['TELEGRAM_BOT_TOKEN']
        def call(method, **params):
            request = urllib.request.Request(f"{base}/bot{token}/{method}", data=json.dumps(params).encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.load(answer)["result"]
        offset = 0
        while True:
            for update in call("getUpdates", offset=offset, timeout=10):
                text = update["message"]["text"]
                call("sendMessage", chat_id=update["message"]["chat"]["id"], text=\(reply))
                offset = update["update_id"] + 1
        """
    }

    @Test(.requires(tool: "python3")) func aTelegramConversationBecomesACheckToo() throws {
        let kit = try kitFolder()
        defer { try? FileManager.default.removeItem(atPath: kit) }
        let (sandbox, url, token) = try startTelegramSandbox()
        defer { sandbox.stop() }
        let bot = try ChildProcess(
            try productsDirectory() + "/lab6-telegram-bot-solution",
            environment: ["TELEGRAM_API_URL": url.absoluteString, "TELEGRAM_BOT_TOKEN": token],
            timeLimit: .seconds(60)
        )
        defer { bot.stop() }
        let recorded = try labrepl(
            in: kit,
            """
            record
            tg connect \(url.absoluteString) as 7 named Ann
            tg say hello there
            tg expect hello there timeout 10
            save echo for lab 6 telegram-bot
            quit

            """
        )
        #expect(recorded.termination == .exited(0), "\(recorded.standardError)")
        let path = "\(kit)/Labs/06-telegram-bot/my-checks/echo.repl"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(
            lines.filter { !$0.hasPrefix("#") } == [
                "tg connect http://127.0.0.1:8081 as 7 named Ann", "tg say hello there", "tg expect hello there",
            ]
        )
        #expect(lines.contains("# needs: make sandbox") && lines.contains("# needs: make run LAB=6 PROG=telegram-bot"))

        let lab = try #require(Lab.numbered(6))
        let checks = OwnCheck.all(of: lab, root: kit)
        let passing = OwnChecks.run(
            checks,
            of: lab,
            binDirectory: try productsDirectory(),
            solution: true,
            transcript: Transcript()
        )
        #expect(passing.first?.passed == true, "\(passing.first?.failure ?? "no result")")

        let bin = try binFolder(["lab6-telegram-bot": Self.pythonBot(reply: "text[::-1]")])
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let failing = OwnChecks.run(checks, of: lab, binDirectory: bin, solution: false, transcript: Transcript())
        let failure = try #require(failing.first?.stepFailure, "a bot that answers backwards passed")
        #expect(
            failure.message.contains(
                "tg expect \"hello there\": not seen from @lab6_check_bot within 5 s (unread: \"ereht olleh\")"
            ),
            "\(failure.message)"
        )
    }

    @Test func aHeaderMakeCheckCannotReadFailsSayingWhy() throws {
        let kit = try kitFolder()
        defer { try? FileManager.default.removeItem(atPath: kit) }
        let folder = "\(kit)/Labs/03-blocking-echo/my-checks"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "connect 127.0.0.1 \(lecturePort)\n".write(
            toFile: "\(folder)/a-no-header.repl",
            atomically: true,
            encoding: .utf8
        )
        try "# needs: make run LAB=3 PROG=echo-srever\n".write(
            toFile: "\(folder)/b-typo.repl",
            atomically: true,
            encoding: .utf8
        )
        let lab = try #require(Lab.numbered(3))
        let results = OwnChecks.run(
            OwnCheck.all(of: lab, root: kit),
            of: lab,
            binDirectory: try productsDirectory(),
            solution: true,
            transcript: Transcript()
        )
        #expect(results.map(\.step.title) == ["a-no-header", "b-typo"])
        #expect(
            results[0].failure
                == "\(folder)/a-no-header.repl cannot run: it has no \"# needs:\" line, so make check does not know which program to start — save it again from labrepl, or add a line such as \"# needs: make run LAB=3 PROG=echo-server\""
        )
        #expect(
            results[1].failure
                == "\(folder)/b-typo.repl cannot run: its line \"# needs: make run LAB=3 PROG=echo-srever\" names PROG=echo-srever: lab 3's programs are PROG=echo-server or PROG=echo-client"
        )
    }
}
