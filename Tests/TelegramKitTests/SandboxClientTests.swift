import Foundation
import ProcessKit
import TelegramKit
import TestSupport
import Testing

/// The user side's blocking client against the `telegram-sandbox` executable, as the checker uses it. Its calls
/// run on threads of their own here (`blocking`), so that they never hold one of the cooperative pool's few
/// threads while the bot's side, on that pool, has work to do.
@Suite("SandboxClient against telegram-sandbox")
struct SandboxClientTests {
    @Test("a user's message reaches the bot with its command entity; the bot's reply comes back, waited for")
    func roundTrip() async throws {
        let (sandbox, url, token) = try startTelegramSandbox(["--bot-username", "client_test_bot"])
        defer { sandbox.stop() }
        let user = SandboxClient(baseURL: url)
        #expect(try await blocking { try user.info() }["bot"]?["username"]?.stringValue == "client_test_bot")

        let sent = try await blocking { try user.say("/start now", from: 1001, firstName: "Kim") }
        let bot = BotClient(token: try BotToken(token), apiURL: url, logger: .silent)
        let updates = try await bot.getUpdates(timeout: 5)
        #expect(updates.map(\.updateID) == [try #require(sent.updateID)])
        #expect(updates.first?.message?.entities == [MessageEntity(type: "bot_command", offset: 0, length: 6)])
        #expect(updates.first?.message?.from?.firstName == "Kim")

        // The user waits first; the reply ends the wait as soon as it is sent.
        let started = ContinuousClock.now
        async let replies = blocking { try user.botMessages(chat: 1001, after: sent.messageID, wait: 10) }
        try await Task.sleep(for: .milliseconds(300))
        try await bot.sendMessage(chatID: 1001, text: "hello, Kim")
        let got = try await replies
        #expect(got.map(\.text) == ["hello, Kim"])
        #expect(ContinuousClock.now - started < .seconds(5))

        #expect(try await blocking { try user.botMessages(chat: 1001, after: got[0].messageID) }.isEmpty)
        let calls = try await blocking { try user.calls() }
        #expect(calls.map(\.method) == ["getUpdates", "sendMessage"])
        #expect(calls.last?.parameter("text") == "hello, Kim")
        #expect(calls.last?.status == 200)
        #expect(try await blocking { try user.calls(method: "getupdates") }.count == 1)
    }

    @Test("faults and blocked users reach the bot; the sandbox's refusals are thrown with their description")
    func faultsAndErrors() async throws {
        let (sandbox, url, token) = try startTelegramSandbox()
        defer { sandbox.stop() }
        let user = SandboxClient(baseURL: url)
        try await blocking {
            try user.say("hi", from: 7)
            try user.addFault(method: "sendMessage", errorCode: 429, retryAfter: 3)
            try user.block(8)
            try user.say("hi", from: 8)
        }
        let bot = BotClient(token: try BotToken(token), apiURL: url, retryPolicy: .never, logger: .silent)
        await #expect(throws: TelegramError.tooManyRequests(retryAfter: 3, description: "Too Many Requests: retry after 3")) {
            try await bot.sendMessage(chatID: 7, text: "x")
        }
        await #expect(throws: TelegramError.forbidden(description: "Forbidden: bot was blocked by the user")) {
            try await bot.sendMessage(chatID: 8, text: "x")
        }
        #expect(try await blocking { try user.calls(method: "sendMessage") }.map(\.status) == [429, 403])

        let refusal = await #expect(throws: SandboxClientError.self) {
            try await blocking { try user.addFault(method: "getMe", errorCode: 200) }
        }
        #expect(refusal?.description.contains("error_code") == true, "\(String(describing: refusal))")
    }

    @Test("a sandbox that is not there: a clear error, at once")
    func unreachable() async throws {
        let (sandbox, url, _) = try startTelegramSandbox()
        sandbox.stop()
        let user = SandboxClient(baseURL: url, requestTimeout: 5)
        let error = await #expect(throws: SandboxClientError.self) {
            try await blocking { try user.say("anyone?", from: 1) }
        }
        #expect(error?.description.contains("is telegram-sandbox running") == true, "\(String(describing: error))")
    }
}

/// Runs a blocking call on a thread of its own and awaits its result.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
