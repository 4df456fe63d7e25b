import Foundation
import TelegramKit
import TelegramSandbox
import TestSupport
import Testing

@Suite("BotClient against the sandbox")
struct BotClientTests {
    @Test("getMe is the configured bot")
    func getMe() async throws {
        try await withLab(username: "greeter_bot") { lab in
            let me = try await lab.client.getMe()
            #expect(me.isBot)
            #expect(me.username == "greeter_bot")
            #expect(me.id == lab.token.botID)
            #expect(me.canJoinGroups != nil)
        }
    }

    @Test("getUpdates: a user's message, its command entity, and the offset that confirms it")
    func getUpdates() async throws {
        try await withLab { lab in
            let said = await lab.sandbox.userSays("/start", userID: 4242, firstName: "Ann", username: "ann")
            let updates = try await lab.client.getUpdates(timeout: 0)
            #expect(updates.map(\.updateID) == [said.updateID!])
            let message = try #require(updates.first?.message)
            #expect(message.chat.id == 4242)
            #expect(message.chat.type == "private")
            #expect(message.from?.firstName == "Ann")
            #expect(message.text == "/start")
            #expect(message.entities == [MessageEntity(type: "bot_command", offset: 0, length: 6)])
            let next = try await lab.client.getUpdates(offset: said.updateID! + 1, timeout: 0)
            #expect(next.isEmpty)
            let requests = await lab.sandbox.requests()
            #expect(requests.last?.parameter("offset") == String(said.updateID! + 1))
            #expect(requests.last?.parameter("allowed_updates") == nil)
        }
    }

    @Test("a long poll's HTTP timeout is longer than its timeout parameter")
    func longPollTimeout() async throws {
        // Calls time out after 1 s, but a 2 s long poll must still come back, empty, without error.
        try await withLab(requestTimeout: 1) { lab in
            let start = ContinuousClock.now
            let updates = try await withTimeLimit(20) { try await lab.client.getUpdates(timeout: 2) }
            #expect(updates.isEmpty)
            #expect(ContinuousClock.now - start >= .milliseconds(1800))
            #expect(lab.recorder.sleeps.isEmpty, "no retry: \(lab.everythingLogged)")
        }
    }

    @Test("sendMessage with parse_mode and a keyboard; the sandbox shows it to the user")
    func sendMessage() async throws {
        try await withLab { lab in
            await lab.sandbox.userSays("hi", userID: 77)
            let markup = ReplyMarkup.inlineKeyboard([[("Yes", "y"), ("No", "n")]])
            let sent = try await lab.client.sendMessage(
                chatID: 77,
                text: "<b>Hello</b>, Ann",
                parseMode: .html,
                replyMarkup: markup
            )
            #expect(sent.text == "Hello, Ann")
            #expect(sent.chat.id == 77)
            #expect(sent.from?.isBot == true)
            #expect(sent.entities == [MessageEntity(type: "bold", offset: 0, length: 5)])
            #expect(sent.replyMarkup == markup.json)
            let seen = await lab.sandbox.botMessages(chatID: 77)
            #expect(seen.map(\.text) == ["Hello, Ann"])
            #expect(seen.first?.messageID == sent.messageID)
        }
    }

    @Test("setMyCommands and getMyCommands round-trip")
    func commands() async throws {
        try await withLab { lab in
            let commands = [BotCommand("start", "Say hello"), BotCommand("help", "What I can do")]
            let got1 = try await lab.client.setMyCommands(commands)
            #expect(got1)
            let got2 = try await lab.client.getMyCommands()
            #expect(got2 == commands)
            let got3 = try await lab.client.getMyCommands(languageCode: "de")
            #expect(got3.isEmpty)
        }
    }

    @Test("deleteWebhook makes getUpdates work again after a webhook blocked it with 409")
    func deleteWebhook() async throws {
        try await withLab { lab in
            let set: Bool = try await lab.client.call("setWebhook", ["url": "https://example.org/hook"])
            #expect(set)
            await #expect {
                try await lab.client.getUpdates()
            } throws: { error in
                guard case TelegramError.conflict(let description) = error else { return false }
                return description.contains("webhook is active") && "\(error)".contains("deleteWebhook")
            }
            let got4 = try await lab.client.deleteWebhook()
            #expect(got4)
            let got5 = try await lab.client.getUpdates()
            #expect(got5.isEmpty)
        }
    }

    @Test("400, 403 and 401 map to badRequest, forbidden and invalidToken, without retries")
    func errorMapping() async throws {
        try await withLab { lab in
            await #expect(
                throws: TelegramError.badRequest(description: "Bad Request: chat not found", migrateToChatID: nil)
            ) {
                try await lab.client.sendMessage(chatID: 999, text: "hi")
            }
            await lab.sandbox.userSays("hi", userID: 5)
            await lab.sandbox.setBlocked(5)
            await #expect(throws: TelegramError.forbidden(description: "Forbidden: bot was blocked by the user")) {
                try await lab.client.sendMessage(chatID: 5, text: "hi")
            }
            let wrong = try lab.client(token: "\(lab.token.botID!):WrongSecretWrongSecret")
            await #expect(throws: TelegramError.invalidToken(description: "Unauthorized")) {
                try await wrong.getMe()
            }
            #expect(lab.recorder.sleeps.isEmpty)
        }
    }
}

@Suite("BotClient under injected faults")
struct FaultTests {
    @Test("429 with retry_after: waits retry_after seconds, then retries and succeeds")
    func tooManyRequests() async throws {
        try await withLab { lab in
            await lab.sandbox.addFault(SandboxFault(method: "getMe", errorCode: 429, retryAfter: 7))
            let me = try await lab.client.getMe()
            #expect(me.isBot)
            #expect(lab.recorder.sleeps == [.seconds(7)])
            let calls = await lab.sandbox.requests().map { ($0.method, $0.status) }
            #expect(calls.map(\.0) == ["getMe", "getMe"])
            #expect(calls.map(\.1) == [429, 200])
            #expect(lab.everythingLogged.contains("retrying in 7.0 s"))
        }
    }

    @Test("500: backs off 1 s, then 1.5 s, and succeeds")
    func serverError() async throws {
        try await withLab { lab in
            await lab.sandbox.addFault(SandboxFault(method: "sendMessage", errorCode: 500, count: 2))
            await lab.sandbox.userSays("hi", userID: 8)
            let sent = try await lab.client.sendMessage(chatID: 8, text: "still here")
            #expect(sent.text == "still here")
            #expect(lab.recorder.sleeps == [.seconds(1), .milliseconds(1500)])
        }
    }

    @Test("a dropped connection is a network error, retried")
    func droppedConnection() async throws {
        try await withLab { lab in
            await lab.sandbox.addFault(.drop(method: "getUpdates", count: 2))
            let updates = try await lab.client.getUpdates(timeout: 0)
            #expect(updates.isEmpty)
            #expect(lab.recorder.sleeps.count == 2)
            #expect(lab.everythingLogged.contains("network error"))
            let statuses = await lab.sandbox.requests().map(\.status)
            #expect(statuses == [0, 0, 200])
        }
    }

    @Test("401: stops at once with a clear error, no retry")
    func unauthorized() async throws {
        try await withLab { lab in
            await lab.sandbox.addFault(SandboxFault(method: "getMe", errorCode: 401))
            do {
                _ = try await lab.client.getMe()
                Issue.record("getMe should have failed")
            } catch let error as TelegramError {
                #expect(error.isFatal)
                #expect(error.description.contains("rejected the token"))
                #expect(error.description.contains("BotFather"))
            }
            #expect(lab.recorder.sleeps.isEmpty)
        }
    }

    @Test("gives up after maxAttempts transient failures")
    func givesUp() async throws {
        try await withLab { lab in
            let client = try lab.client(token: lab.sandbox.token, retry: lab.recorder.retryPolicy(maxAttempts: 3))
            await lab.sandbox.addFault(SandboxFault(method: "getMe", errorCode: 502, count: 5))
            await #expect(throws: TelegramError.server(status: 502, description: "Bad Gateway")) {
                try await client.getMe()
            }
            #expect(lab.recorder.sleeps.count == 2)
            #expect(lab.everythingLogged.contains("giving up"))
        }
    }
}

@Suite("The token never shows")
struct RedactionTests {
    @Test("not in errors or logs for a dead server, faults, or a wrong token")
    func nowhere() async throws {
        let secret = "SuperSecretPart-\(UUID().uuidString.prefix(8))"
        let token = try BotToken("987654321:\(secret)")
        let recorder = Recorder()
        // Nothing listens on port 9 of loopback: a connection error whose URL holds the token.
        let dead = BotClient(
            token: token,
            apiURL: URL(string: "http://127.0.0.1:9")!,
            retryPolicy: recorder.retryPolicy(maxAttempts: 2),
            logger: recorder.logger
        )
        var shown: [String] = []
        do {
            _ = try await dead.getMe()
            Issue.record("a dead server answered")
        } catch {
            shown += ["\(error)", String(describing: error), String(reflecting: error), error.localizedDescription]
            #expect(error is TelegramError)
        }
        try await withLab { lab in
            var seen: [String] = []
            let wrong = try lab.client(token: token.secretValue)
            do { _ = try await wrong.getMe() } catch {
                seen += ["\(error)", String(reflecting: error), error.localizedDescription]
            }
            await lab.sandbox.addFault(
                SandboxFault(method: "getMe", errorCode: 500, description: "boom \(lab.token.secretValue)")
            )
            _ = try await lab.client.getMe()
            seen += [lab.everythingLogged, "\(lab.token)", String(reflecting: lab.token)]
            for text in seen {
                #expect(!text.contains(lab.token.secretValue))
                #expect(!text.contains(lab.sandbox.token.split(separator: ":")[1]))
                #expect(!text.contains(secret))
            }
            #expect(lab.everythingLogged.contains("boom <token>"))
        }
        shown += recorder.lines + ["\(token)", "\([token])", String(reflecting: token)]
        #expect(!shown.isEmpty)
        for text in shown {
            #expect(!text.contains(secret), "shown: \(text)")
            #expect(!text.contains(token.secretValue.replacingOccurrences(of: ":", with: "%3A")))
        }
        #expect(recorder.lines.contains { $0.contains("cannot connect") || $0.contains("network error") })
    }

    @Test("Redactor replaces plain and percent-encoded tokens")
    func redactor() throws {
        let token = try BotToken("123:ABCdefGHIjkl")
        let redact = Redactor(token: token)
        #expect(redact("GET /bot123:ABCdefGHIjkl/getMe") == "GET /bot<token>/getMe")
        #expect(redact("/bot123%3AABCdefGHIjkl/x") == "/bot<token>/x")
        #expect(redact("secret ABCdefGHIjkl alone") == "secret <token> alone")
        #expect(redact("nothing here") == "nothing here")
    }
}
