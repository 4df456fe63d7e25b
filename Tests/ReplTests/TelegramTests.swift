import Foundation
import ProcessKit
import ReplKit
import TestSupport
import Testing

/// labrepl as a Telegram user: a session in-process, the `telegram-sandbox` executable, and a bot the kit did not
/// write (Python's urllib, speaking the Bot API).
@Suite struct TelegramTests {
    /// Echoes `count` messages as "echo: TEXT" and "from FIRST NAME" on a second line, then confirms and ends.
    static let pythonBot = """
        import json, sys, urllib.request
        base, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        def call(method, **params):
            request = urllib.request.Request(f"{base}/bot{token}/{method}", data=json.dumps(params).encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.load(answer)["result"]
        offset, handled = 0, 0
        while handled < count:
            for update in call("getUpdates", offset=offset, timeout=10):
                message = update["message"]
                call("sendMessage", chat_id=message["chat"]["id"],
                     text=f"echo: {message['text']}\\nfrom {message['from']['first_name']}")
                offset, handled = update["update_id"] + 1, handled + 1
        call("getUpdates", offset=offset, timeout=0)
        """

    @Test(.requires(tool: "python3")) func saysExpectsAndSeesRepliesAsTheyArrive() throws {
        let (sandbox, url, token) = try startTelegramSandbox(["--bot-username", "repl_test_bot"])
        defer { sandbox.stop() }
        let bot = try ChildProcess(
            "python3",
            ["-c", Self.pythonBot, url.absoluteString, token, "2"],
            timeLimit: .seconds(60)
        )
        defer { bot.stop() }
        let console = RecordingConsole()
        let session = Session(console: console)
        defer { session.closeAll() }

        #expect(session.run("tg connect \(url.absoluteString) as 7 named Ann"))
        #expect(
            console.lines == [
                "tg: you are user 7 (Ann), talking to @repl_test_bot at \(url.absoluteString) — tg say TEXT writes to it"
            ]
        )
        console.clear()
        #expect(session.run("tg say hello"))
        #expect(session.run("tg expect echo: hello timeout 10"), "\(console.errors)")
        #expect(
            console.lines == ["@repl_test_bot → hello", "@repl_test_bot ← echo: hello", "                 from Ann"]
        )

        // Without expect: the reply shows up while the session serves its event loop, as at the prompt.
        console.clear()
        #expect(session.run("tg say /start"))
        try session.pump(until: { console.lines.count == 3 }, "the reply to /start")
        #expect(console.lines[1] == "@repl_test_bot ← echo: /start")
        #expect(bot.waitForExit(timeout: .seconds(10)) == .exited(0), "\(bot.standardError)")

        console.clear()
        #expect(session.run("tg requests getUpdates"))
        #expect(
            console.lines.last?.hasPrefix("getUpdates offset=") == true
                && console.lines.last?.hasSuffix("timeout=0 → 200") == true,
            "\(console.lines)"
        )
        #expect(session.run("tg fault sendMessage 429 retry 2"))
        #expect(console.lines.last == "tg: the bot's next sendMessage gets error 429, retry_after 2")
        #expect(!session.run("tg fault sendMessage 200"))
        #expect(!session.run("tg expect anything timeout 0.3"))
        #expect(console.errors.last?.contains("not seen from @repl_test_bot within 0.3 s") == true, "\(console.errors)")
        #expect(session.run("tg"))
        #expect(
            console.lines.last
                == "tg: user 7 talking to @repl_test_bot at \(url.absoluteString); 1 reply not taken by tg expect"
        )
    }

    @Test func notConnectedNowhereToConnectAndASandboxThatGoesAway() throws {
        let console = RecordingConsole()
        let session = Session(console: console)
        defer { session.closeAll() }
        #expect(!session.run("tg say hi"))
        #expect(console.errors.last?.hasPrefix("not connected to a sandbox: tg connect URL first") == true)
        #expect(!session.run("tg connect ftp://x"))
        #expect(console.errors.last?.contains("is not a URL") == true, "\(console.errors)")

        let (sandbox, url, _) = try startTelegramSandbox()
        #expect(session.run("tg connect \(url.host!):\(url.port!)"), "\(console.errors)")  // http:// may be left out
        sandbox.stop()
        try session.pump(until: { console.shown.last?.kind == .event }, timeout: .seconds(20), "the watcher's failure")
        #expect(console.shown.last?.text.hasPrefix("tg: the sandbox stopped answering") == true, "\(console.shown)")
        #expect(!session.run("tg say still there?"))
        #expect(!session.run("tg connect \(url.absoluteString)"))
        #expect(console.errors.last?.contains("no telegram-sandbox answers at") == true, "\(console.errors)")
    }
}
