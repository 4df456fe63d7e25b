import Foundation
import TelegramKit
import TelegramSandbox
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The greeting conversation's states, as a lab bot would declare them.
enum Greeting: Sendable, Equatable {
    case askedName
    case askedAge(name: String)
}

/// A small bot: /start, /help, a name-then-age conversation, echo for the rest.
func makeBot(_ client: BotClient, conversations: ConversationStore<Greeting>) async -> Dispatcher {
    let bot = Dispatcher(client: client, pollTimeout: 5)
    await bot.command("start") { context in
        await conversations.set(.askedName, for: context.chatID)
        try await context.reply("Hello! What is your name?")
    }
    await bot.command("help") { try await $0.reply("I greet people. Send /start.") }
    await bot.text(when: { await conversations.state(for: $0.chatID) != nil }) { context in
        switch await conversations.state(for: context.chatID) {
        case .askedName:
            await conversations.set(.askedAge(name: context.text), for: context.chatID)
            try await context.reply("How old are you, \(context.text)?")
        case .askedAge(let name):
            await conversations.reset(context.chatID)
            try await context.reply("Hello, \(name), aged \(context.text)!")
        case nil:
            break
        }
    }
    await bot.text { context in
        if let command = context.command {
            try await context.reply("Unknown command /\(command.name)")
        } else {
            try await context.reply(context.text)
        }
    }
    return bot
}

@Suite("Dispatcher against the sandbox")
struct DispatcherTests {
    /// Says `text` as user `userID` and waits for the bot's next reply.
    func exchange(_ lab: Lab, _ text: String, userID: Int64 = 100, after: inout Int64) async throws -> String {
        await lab.sandbox.userSays(text, userID: userID, firstName: "Ann")
        let replies = await lab.sandbox.botMessages(chatID: userID, after: after, timeout: 10)
        let reply = try #require(replies.first, "no reply to \(text)")
        after = reply.messageID
        return reply.text
    }

    @Test("commands, the conversation, echo and unknown commands; stop confirms the last batch")
    func conversation() async throws {
        try await withLab(username: "greeter_bot") { lab in
            let bot = await makeBot(lab.client, conversations: ConversationStore())
            let running = Task { try await bot.run(stopOnSignals: false) }
            var after: Int64 = 0
            let got1 = try await exchange(lab, "/start", after: &after)
            #expect(got1 == "Hello! What is your name?")
            let got2 = try await exchange(lab, "Ann", after: &after)
            #expect(got2 == "How old are you, Ann?")
            let got3 = try await exchange(lab, "42", after: &after)
            #expect(got3 == "Hello, Ann, aged 42!")
            let got4 = try await exchange(lab, "echo me", after: &after)
            #expect(got4 == "echo me")
            let got5 = try await exchange(lab, "/help@greeter_bot", after: &after)
            #expect(got5 == "I greet people. Send /start.")
            let got6 = try await exchange(lab, "/nope", after: &after)
            #expect(got6 == "Unknown command /nope")
            let last = await lab.sandbox.userSays("/help", userID: 100)
            _ = await lab.sandbox.botMessages(chatID: 100, after: after, timeout: 10)

            await bot.stop()
            try await withTimeLimit(10) { try await running.value }
            let polls = await lab.sandbox.requests().filter { $0.method == "getUpdates" }
            let confirm = try #require(polls.last)
            #expect(confirm.parameter("offset") == String(last.updateID! + 1))
            #expect(confirm.parameter("timeout") == "0")
            #expect(confirm.status == 200)
            // Confirmed: a new poll gets nothing.
            let got7 = try await lab.client.getUpdates(timeout: 0)
            #expect(got7.isEmpty)
        }
    }

    @Test("a /start typed without the bot_command entity, or for another bot, is not a command")
    func notCommands() async throws {
        let chat = Chat(id: 1, type: "private")
        let plain = Message(messageID: 1, date: 0, chat: chat, text: "/start")
        #expect(Command(message: plain) == nil)
        let later = Message(
            messageID: 1,
            date: 0,
            chat: chat,
            text: "hi /start",
            entities: [MessageEntity(type: "bot_command", offset: 3, length: 6)]
        )
        #expect(Command(message: later) == nil)
        let other = Message(
            messageID: 1,
            date: 0,
            chat: chat,
            text: "/start@other_bot",
            entities: [MessageEntity(type: "bot_command", offset: 0, length: 16)]
        )
        #expect(Command(message: other, botUsername: "my_bot") == nil)
        #expect(Command(message: other)?.botUsername == "other_bot")
        let mine = Message(
            messageID: 1,
            date: 0,
            chat: chat,
            text: "/age@My_Bot  42 😀",
            entities: [MessageEntity(type: "bot_command", offset: 0, length: 11)]
        )
        #expect(
            Command(message: mine, botUsername: "my_bot")
                == Command(name: "age", botUsername: "My_Bot", arguments: "42 😀")
        )
    }

    @Test("a handler's 400 goes to the error handler and the bot goes on")
    func handlerErrors() async throws {
        try await withLab { lab in
            let errors = Recorder()
            let bot = Dispatcher(client: lab.client, pollTimeout: 5)
            await bot.command("bad") { try await $0.client.sendMessage(chatID: 31_337, text: "to nowhere") }
            await bot.text { try await $0.reply("ok: \($0.text)") }
            await bot.onError { error, update in
                errors.logger.error("\(error) in update \(update?.updateID ?? -1)")
            }
            let running = Task { try await bot.run(stopOnSignals: false) }
            let bad = await lab.sandbox.userSays("/bad", userID: 3)
            await lab.sandbox.userSays("after", userID: 3)
            let replies = await lab.sandbox.botMessages(chatID: 3, timeout: 10)
            #expect(replies.map(\.text) == ["ok: after"])
            #expect(errors.lines == ["error: bad request: Bad Request: chat not found in update \(bad.updateID!)"])
            await bot.stop()
            try await withTimeLimit(10) { try await running.value }
        }
    }

    @Test("409 while polling is reported and polling goes on")
    func conflictWhilePolling() async throws {
        try await withLab { lab in
            await lab.sandbox.addFault(SandboxFault(method: "getUpdates", errorCode: 409))
            let bot = Dispatcher(client: lab.client, pollTimeout: 5)
            await bot.text { try await $0.reply("seen") }
            let running = Task { try await bot.run(stopOnSignals: false) }
            await lab.sandbox.userSays("hello", userID: 12)
            let replies = await lab.sandbox.botMessages(chatID: 12, timeout: 10)
            #expect(replies.map(\.text) == ["seen"])
            #expect(lab.everythingLogged.contains("Only one program may poll a bot at a time"))
            #expect(lab.recorder.sleeps == [.seconds(1)])
            await bot.stop()
            try await withTimeLimit(10) { try await running.value }
        }
    }

    @Test("run() stops with invalidToken when the token is wrong")
    func wrongToken() async throws {
        try await withLab { lab in
            let client = try lab.client(token: "1:NotTheSandboxToken")
            let bot = Dispatcher(client: client)
            await #expect(throws: TelegramError.invalidToken(description: "Unauthorized")) {
                try await withTimeLimit(10) { try await bot.run(stopOnSignals: false) }
            }
        }
    }

    @Test("SIGTERM stops run() gracefully and confirms the last batch")
    func signalStop() async throws {
        try await withLab { lab in
            let bot = Dispatcher(client: lab.client, pollTimeout: 20)
            await bot.text { try await $0.reply("got it") }
            let running = Task { try await bot.run(stopOnSignals: true) }
            let said = await lab.sandbox.userSays("hi", userID: 21)
            _ = await lab.sandbox.botMessages(chatID: 21, timeout: 10)
            // Once the next long poll is held, the update is handled: signal this process.
            let held = try #require(await lab.sandbox.waitForHeldPoll(timeout: 10))
            #expect(held.offset == said.updateID! + 1)
            kill(getpid(), SIGTERM)
            try await withTimeLimit(10) { try await running.value }
            let last = try #require(await lab.sandbox.requests().last)
            #expect(last.method == "getUpdates")
            #expect(last.parameter("offset") == String(said.updateID! + 1))
            #expect(last.parameter("timeout") == "0")
            #expect(lab.everythingLogged.contains("signal \(SIGTERM)"))
        }
    }
}
