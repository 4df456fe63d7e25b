import Foundation
import ProcessKit
import TelegramKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reference bot against the `telegram-sandbox` executable, where the lab's checks do not reach: every fault
/// the sandbox can inject in one run, two instances polling at once, and settings refused before any request.
/// Never a real token, never the internet.
@Suite struct Lab6BotTests {
    /// A sandbox and the reference bot against it, both stopped by `stop()`.
    struct Bench {
        let sandbox: ChildProcess
        let url: URL
        let token: String
        let user: SandboxClient
        var bots: [ChildProcess] = []

        init() throws {
            (sandbox, url, token) = try startTelegramSandbox(["--bot-username", "lab6_test_bot"])
            user = SandboxClient(baseURL: url)
        }

        var environment: [String: String] { ["TELEGRAM_API_URL": url.absoluteString, "TELEGRAM_BOT_TOKEN": token] }

        /// Starts a bot and waits for its getMe line.
        mutating func startBot(_ arguments: [String] = [], environment: [String: String]? = nil) throws -> ChildProcess
        {
            let bot = try ChildProcess(
                try productsDirectory() + "/lab6-telegram-bot-solution",
                arguments,
                environment: environment ?? self.environment,
                timeLimit: .seconds(90)
            )
            bots.append(bot)
            try #require(
                bot.waitForLine(timeout: .seconds(10)) { $0.contains("@lab6_test_bot") } != nil,
                "the bot did not start: \(bot.standardError)"
            )
            return bot
        }

        /// Says `text` as `userID` and returns the bot's next reply (nil if none within `seconds`).
        func exchange(_ text: String, from userID: Int64 = 1001, within seconds: Double = 10) throws -> String? {
            let sent = try user.say(text, from: userID, firstName: "Kim")
            return try user.botMessages(chat: userID, after: sent.messageID, wait: seconds).first?.text
        }

        func stop() {
            for bot in bots { bot.stop() }
            sandbox.stop()
        }
    }

    @Test("every fault the sandbox injects, one after another: the bot goes on, and never shows its token")
    func faultsNeverShowTheToken() throws {
        var bench = try Bench()
        defer { bench.stop() }
        let bot = try bench.startBot(["--poll-timeout", "5"])
        #expect(try bench.exchange("hello") == "hello")

        let faults: [(method: String, code: Int, retryAfter: Int?)] = [
            ("getUpdates", 429, 1), ("sendMessage", 429, 1), ("getUpdates", 500, nil), ("sendMessage", 502, nil),
            ("getUpdates", 0, nil), ("sendMessage", 0, nil), ("getUpdates", 409, nil), ("sendMessage", 400, nil),
            ("sendMessage", 403, nil),
        ]
        for (index, fault) in faults.enumerated() {
            try bench.user.addFault(method: fault.method, errorCode: fault.code, retryAfter: fault.retryAfter)
            let text = "after \(fault.method) \(fault.code) (\(index))"
            let lost = [400, 403].contains(fault.code)
            let reply = try bench.exchange(text, within: lost ? 2 : 10)
            if lost {
                // Not retried: that reply is lost, the next one is not.
                #expect(reply == nil, "\(fault)")
                #expect(try bench.exchange("and then") == "and then", "\(fault)")
            } else {
                #expect(reply == text, "\(fault)")
            }
        }
        // A token revoked while the bot runs: it stops, and says why.
        try bench.user.addFault(method: "sendMessage", errorCode: 401)
        _ = try bench.exchange("the end", within: 2)
        let ended = bot.waitForExit(timeout: .seconds(10))
        #expect(ended == .exited(1))
        #expect(bot.standardError.contains("rejected the token"))

        // A wrong token, from a file: refused at getMe.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lab6-test-token-\(UUID().uuidString)")
        let wrongSecret = "NotTheSandboxSecret_4711"
        try "\(bench.token.prefix { $0 != ":" }):\(wrongSecret)\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let wrong = try ChildProcess.run(
            try productsDirectory() + "/lab6-telegram-bot-solution",
            ["--token-file", file.path],
            environment: ["TELEGRAM_API_URL": bench.url.absoluteString, "TELEGRAM_BOT_TOKEN": bench.token],
            timeout: .seconds(20)
        )
        #expect(wrong.termination == .exited(1))
        #expect(wrong.standardError.contains("rejected the token"))

        let secret = String(bench.token.drop { $0 != ":" }.dropFirst())
        let everything = bot.standardOutput + bot.standardError + wrong.standardOutput + wrong.standardError
        for shown in [secret, wrongSecret, bench.token.replacingOccurrences(of: ":", with: "%3A")] {
            #expect(!everything.contains(shown), "the output shows a token:\n\(everything)")
        }
        // Each fault was seen and said, in words.
        for words in [
            "retry after 1", "server error 500", "server error 502", "network error", "Only one program may poll",
            "bad request", "blocked by the user",
        ] {
            #expect(everything.contains(words), "nothing said \"\(words)\":\n\(everything)")
        }
    }

    @Test("two instances with one token: each is told why (409), and the messages are still answered")
    func twoInstances() throws {
        var bench = try Bench()
        defer { bench.stop() }
        let first = try bench.startBot(["--poll-timeout", "5"])
        try #require(try bench.user.heldPoll(wait: 10) != nil, "the first bot never waited in getUpdates")
        let second = try bench.startBot(["--poll-timeout", "5"])
        // The second one's poll ends the first one's with 409; the first one, polling again, ends the second's.
        for bot in [first, second] {
            let told = bot.waitUntil(timeout: .seconds(10)) { _, errors in
                String(decoding: errors, as: UTF8.self).contains("Only one program may poll a bot at a time")
            }
            #expect(told, "\(bot.standardError)")
        }
        for number in 1...3 {
            let sent = try bench.user.say("message \(number)", from: 1001)
            #expect(try !bench.user.botMessages(chat: 1001, after: sent.messageID, wait: 15).isEmpty)
        }
        // Which instance answers, and whether one answers what the other has not confirmed yet, is up to chance:
        // that is why Telegram refuses the second poller.
        let answered = Set(try bench.user.botMessages(chat: 1001).map(\.text))
        #expect(answered == ["message 1", "message 2", "message 3"])
        for bot in [first, second] {
            bot.signal(SIGTERM)
            #expect(bot.waitForExit(timeout: .seconds(10)) == .exited(0), "\(bot.standardError)")
        }
    }

    @Test("settings are checked before any request: a malformed token or API URL, a bad option")
    func refusedSettings() throws {
        let bench = try Bench()
        defer { bench.stop() }
        let product = try productsDirectory() + "/lab6-telegram-bot-solution"
        let cases: [(environment: [String: String], arguments: [String], says: String)] = [
            (["TELEGRAM_BOT_TOKEN": "not-a-token", "TELEGRAM_API_URL": bench.url.absoluteString], [], "malformed"),
            (["TELEGRAM_BOT_TOKEN": bench.token, "TELEGRAM_API_URL": "ftp://127.0.0.1"], [], "not an http(s) URL"),
            (bench.environment, ["--poll-timeout", "0"], "--poll-timeout"),
            (bench.environment, ["--conversation-timeout", "-1"], "--conversation-timeout"),
        ]
        for (environment, arguments, says) in cases {
            let run = try ChildProcess.run(product, arguments, environment: environment, timeout: .seconds(20))
            #expect(run.termination != .exited(0) && !run.termination.isCrash, "\(arguments) \(run.termination)")
            #expect(run.standardError.contains(says), "\(run.standardError)")
        }
        #expect(try bench.user.calls().isEmpty, "no request should have reached the API")
    }
}
