import Foundation
import TelegramKit
import Testing

@Suite("Tokens and settings")
struct SettingsTests {
    static let token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

    @Test(
        "tokens are validated loosely",
        arguments: [
            ("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11", true), ("1234567890123:x_y-z", true), (" 1:a\n", true),
            ("123456", false), (":abc", false), ("12a:abc", false), ("123:", false), ("123:ab c", false),
            ("123:a/b", false),
        ]
    )
    func validation(_ text: String, _ valid: Bool) {
        #expect(((try? BotToken(text)) != nil) == valid)
    }

    @Test("a token shows as <token> however it is printed")
    func hidden() throws {
        let token = try BotToken(Self.token)
        #expect("\(token)" == "<token>")
        #expect(String(reflecting: token) == "<token>")
        #expect(token.botID == 123456)
    }

    @Test("from TELEGRAM_BOT_TOKEN, with TELEGRAM_API_URL")
    func fromEnvironment() throws {
        let settings = try BotSettings.load(
            arguments: ["bot"],
            environment: [
                "TELEGRAM_BOT_TOKEN": Self.token, "TELEGRAM_API_URL": "http://127.0.0.1:8081",
            ]
        )
        #expect(settings.token.secretValue == Self.token)
        #expect(settings.apiURL.absoluteString == "http://127.0.0.1:8081")
        let real = try BotSettings.load(arguments: ["bot"], environment: ["TELEGRAM_BOT_TOKEN": Self.token])
        #expect(real.apiURL.absoluteString == "https://api.telegram.org")
    }

    @Test("--token-file wins over the environment")
    func fromFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "42:FromTheFile\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        for arguments in [["bot", "--token-file", file.path], ["bot", "--token-file=\(file.path)"]] {
            let settings = try BotSettings.load(arguments: arguments, environment: ["TELEGRAM_BOT_TOKEN": Self.token])
            #expect(settings.token.secretValue == "42:FromTheFile")
        }
        // A program that parses its own --token-file passes the path.
        let parsed = try BotSettings.load(tokenFile: file.path, environment: ["TELEGRAM_BOT_TOKEN": Self.token])
        #expect(parsed.token.secretValue == "42:FromTheFile")
        #expect(
            try BotSettings.load(tokenFile: nil, environment: ["TELEGRAM_BOT_TOKEN": Self.token]).token.secretValue
                == Self.token
        )
        #expect(throws: TelegramError.unreadableTokenFile(path: "/nonexistent/\(file.lastPathComponent)")) {
            try BotSettings.load(
                arguments: ["bot", "--token-file", "/nonexistent/\(file.lastPathComponent)"],
                environment: [:]
            )
        }
    }

    @Test("a missing token says how to get one from BotFather; a bad one or a bad URL says what is wrong")
    func problems() {
        #expect(throws: TelegramError.missingToken) { try BotSettings.load(arguments: [], environment: [:]) }
        #expect(TelegramError.missingToken.description.contains("@BotFather"))
        #expect(TelegramError.missingToken.description.contains("/newbot"))
        #expect(TelegramError.missingToken.description.contains("TELEGRAM_BOT_TOKEN"))
        #expect(throws: TelegramError.malformedToken) {
            try BotSettings.load(arguments: [], environment: ["TELEGRAM_BOT_TOKEN": "not-a-token"])
        }
        #expect(!TelegramError.malformedToken.description.contains("not-a-token"))
        #expect(throws: TelegramError.badAPIURL("ftp://x")) {
            try BotSettings.load(
                arguments: [],
                environment: ["TELEGRAM_BOT_TOKEN": Self.token, "TELEGRAM_API_URL": "ftp://x"]
            )
        }
    }
}

@Suite("Retry policy, decoding, conversations")
struct UnitTests {
    @Test("backoff: 1 s, ×1.5, capped at 30 s")
    func backoff() {
        let policy = RetryPolicy()
        let delays = (1...12).map { policy.backoff(afterFailures: $0) }
        #expect(
            Array(delays.prefix(4)) == [.seconds(1), .milliseconds(1500), .milliseconds(2250), .milliseconds(3375)]
        )
        #expect(delays.allSatisfy { $0 <= .seconds(30) })
        #expect(delays.last == .seconds(30))
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test("decoding ignores unknown fields and update kinds, and keeps the batch")
    func tolerantDecoding() throws {
        let json = """
            [{"update_id": 10, "message": {"message_id": 1, "date": 5, "chat": {"id": 7, "type": "private",
              "brand_new_field": {"x": 1}}, "text": "hi", "future": true, "from": {"id": 7, "is_bot": false,
              "first_name": "A", "is_premium": true}}},
             {"update_id": 11, "message_reaction": {"chat": {"id": 7}}},
             {"update_id": 12, "message": {"message_id": "not a number"}}]
            """
        let updates = try JSONDecoder().decode([Update].self, from: Data(json.utf8))
        #expect(updates.map(\.updateID) == [10, 11, 12])
        #expect(updates[0].message?.text == "hi")
        #expect(updates[0].message?.from?.firstName == "A")
        #expect(updates[1].message == nil)
        #expect(updates[2].message == nil)
    }

    @Test("escaping: a user's text shows exactly as written in every parse mode, as the sandbox parses it")
    func escaping() async throws {
        #expect(ParseMode.html.escape(#"Kim <3 & "co""#) == "Kim &lt;3 &amp; &quot;co&quot;")
        #expect(ParseMode.markdownV2.escape(#"a_b*c.\"#) == #"a\_b\*c\.\\"#)
        #expect(ParseMode.markdown.escape(#"a_b*c.\"#) == #"a\_b\*c.\"#)
        let tricky = #"Kim <3 & "co" _under_ *star* [link](x) `code` \back ~tilde~ >quote #tag +-=|{}.! &amp;"#
        try await withLab { lab in
            await lab.sandbox.userSays("hi", userID: 5)
            for mode in [ParseMode.html, .markdownV2, .markdown] {
                let bold = mode == .html ? "<b>\(mode.escape(tricky))</b>" : "*\(mode.escape(tricky))*"
                let sent = try await lab.client.sendMessage(chatID: 5, text: bold, parseMode: mode)
                #expect(sent.text == tricky, "\(mode)")
                #expect(
                    sent.entities?.contains(MessageEntity(type: "bold", offset: 0, length: tricky.utf16.count)) == true,
                    "\(mode): \(String(describing: sent.entities))"
                )
            }
            // Unescaped, the same text is refused: Telegram cannot read it as markup.
            await #expect(throws: TelegramError.self) {
                try await lab.client.sendMessage(chatID: 5, text: "<b>\(tricky)</b>", parseMode: .html)
            }
        }
    }

    @Test("an entity's text is found by UTF-16 offsets, as the API counts them")
    func coveredText() {
        let text = "😀 Kim <3!"
        #expect(MessageEntity(type: "bold", offset: 3, length: 6).covered(in: text) == "Kim <3")
        #expect(MessageEntity(type: "bold", offset: 0, length: 2).covered(in: text) == "😀")
        #expect(MessageEntity(type: "bold", offset: 8, length: 5).covered(in: text) == nil)
    }

    @Test("a conversation left hanging resets after its timeout")
    func conversationTimeout() async {
        let clock = ManualClock()
        let store = ConversationStore<String>(timeout: .seconds(60), now: { clock.now })
        await store.set("asked name", for: 1)
        clock.advance(.seconds(59))
        #expect(await store.state(for: 1) == "asked name")
        await store.set("asked age", for: 1)  // touching restarts the timeout
        clock.advance(.seconds(59))
        #expect(await store.state(for: 1) == "asked age")
        #expect(await store.activeChats == [1])
        clock.advance(.seconds(1))
        #expect(await store.state(for: 1) == nil)
        #expect(await store.state(for: 2) == nil)
    }
}

final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var instant = ContinuousClock.now

    var now: ContinuousClock.Instant { lock.withLock { instant } }
    func advance(_ duration: Duration) { lock.withLock { instant += duration } }
}
