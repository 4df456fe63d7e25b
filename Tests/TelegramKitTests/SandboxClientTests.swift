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

        // The user waits first (the sandbox shows the chat as awaited); the reply ends the wait as soon as it is sent.
        let started = ContinuousClock.now
        async let replies = blocking { try user.botMessages(chat: 1001, after: sent.messageID, wait: 10) }
        try await waitUntil("the sandbox shows the user's wait") {
            try await blocking { try user.info() }["awaited_chats"]?.arrayValue?.contains(.int(1001)) == true
        }
        try await bot.sendMessage(chatID: 1001, text: "<b>hello</b>, Kim", parseMode: .html)
        let got = try await replies
        #expect(got.map(\.text) == ["hello, Kim"])
        #expect(got.first?.entities == [MessageEntity(type: "bold", offset: 0, length: 5)])
        #expect(got.first?.parseMode == "HTML")
        #expect(ContinuousClock.now - started < .seconds(5))

        #expect(try await blocking { try user.botMessages(chat: 1001, after: got[0].messageID) }.isEmpty)
        let calls = try await blocking { try user.calls() }
        #expect(calls.map(\.method) == ["getUpdates", "sendMessage"])
        #expect(calls.last?.parameter("text") == "<b>hello</b>, Kim")
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
        await #expect(
            throws: TelegramError.tooManyRequests(retryAfter: 3, description: "Too Many Requests: retry after 3")
        ) {
            try await bot.sendMessage(chatID: 7, text: "x")
        }
        await #expect(throws: TelegramError.forbidden(description: "Forbidden: bot was blocked by the user")) {
            try await bot.sendMessage(chatID: 8, text: "x")
        }
        let refused = try await blocking { try user.calls(method: "sendMessage") }
        #expect(refused.map(\.status) == [429, 403])
        #expect(
            refused.map(\.description) == [
                "Too Many Requests: retry after 3", "Forbidden: bot was blocked by the user",
            ]
        )

        let refusal = await #expect(throws: SandboxClientError.self) {
            try await blocking { try user.addFault(method: "getMe", errorCode: 200) }
        }
        #expect(refusal?.description.contains("error_code") == true, "\(String(describing: refusal))")
    }

    @Test("a held getUpdates is reported: nothing before the bot polls, then its offset and timeout")
    func heldPoll() async throws {
        let (sandbox, url, token) = try startTelegramSandbox()
        defer { sandbox.stop() }
        let user = SandboxClient(baseURL: url)
        #expect(try await blocking { try user.heldPoll() } == nil)
        let sent = try await blocking { try user.say("hi", from: 3) }
        let bot = BotClient(token: try BotToken(token), apiURL: url, logger: .silent)
        let poll = Task { try await bot.getUpdates(offset: sent.updateID! + 1, timeout: 20) }
        let held = try await blocking { try user.heldPoll(wait: 10) }
        #expect(held == SandboxClient.HeldPoll(offset: sent.updateID! + 1, timeout: 20))
        _ = try await blocking { try user.say("wake up", from: 3) }
        #expect(try await poll.value.count == 1)
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

/// Asks until `fact` holds (up to 10 s): for what the sandbox shows but offers no wait for.
func waitUntil(_ what: String, _ fact: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while try await !fact() {
        try #require(ContinuousClock.now < deadline, "\(what), within 10 s")
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Runs a blocking call on a thread of its own and awaits its result.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
