import Foundation
import TelegramKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lab 6 · Telegram bot: the student's bot against an offline Bot API (telegram-sandbox), the checker playing the
/// users. Never a real token, never the internet.
let lab6 = Lab(
    number: 6, title: "Telegram bot", folder: "06-telegram-bot", programs: ["telegram-bot"],
    tools: ["telegram-sandbox"],
    steps: [
        Step(1, "getMe first: the bot says who it is; no token, a clear message",
             hint: "BotSettings.load(tokenFile:), BotClient(settings:), getMe(), then print \"I am @USERNAME …\"") { check in
            let sandbox = try check.startSandbox()
            let bot = try check.start("telegram-bot", environment: sandbox.environment)
            try bot.waitForLine(
                containing: "@\(sandbox.botUsername)", timeout: .seconds(5),
                waitingFor: "the bot's username as getMe answered it, e.g. \"I am @\(sandbox.botUsername) (…)\"")
            let first = try sandbox.calls().first
            try expect(
                first?.method.lowercased() == "getme",
                "the bot's first Bot API call was \(first.map { quoted($0.method) } ?? "nothing"), but it should be getMe: it proves the token works and tells the bot its own name")

            let tokenless = try check.start(
                "telegram-bot", environment: ["TELEGRAM_BOT_TOKEN": "", "TELEGRAM_API_URL": sandbox.url])
            try tokenless.waitForExit(timeout: .seconds(5))
            let said = tokenless.output + tokenless.process.standardError
            try expect(tokenless.termination?.isCrash != true,
                       "started without TELEGRAM_BOT_TOKEN, the bot crashed (\(tokenless.termination!)): throw the error BotSettings.load gives instead")
            try expect(tokenless.termination != .exited(0),
                       "started without TELEGRAM_BOT_TOKEN, the bot exited with status 0, as if all was well")
            try expect(said.contains("BotFather"),
                       "started without TELEGRAM_BOT_TOKEN, the bot should say where a token comes from (@BotFather), but it printed:\n" + indented(lastLines(said)))
        },
        Step(2, "long polling: each message echoed once, none lost (offset = last update_id + 1)",
             hint: "register a text handler that replies with context.text, then call bot.run()") { check in
            let (sandbox, _) = try startBot(check)
            try sandbox.say("hello", from: 1001, firstName: "Kim")
            try sandbox.expectReply("hello", to: 1001, after: "sent \"hello\" as user 1001",
                                    stuck: "is it calling getUpdates, and sendMessage to the message's chat?")
            try sandbox.say("from another chat", from: 1002, firstName: "Lee")
            try sandbox.expectReply("from another chat", to: 1002, after: "sent \"from another chat\" as user 1002",
                                    stuck: "does it answer the chat the message came from (context.reply)?")

            // Three at once: they reach the bot in one batch.
            var last: Int64 = 0
            for text in ["one", "two", "three"] {
                last = try sandbox.say(text, from: 1001).updateID ?? last
            }
            for text in ["one", "two", "three"] {
                try sandbox.expectReply(text, to: 1001, after: "sent \"one\", \"two\" and \"three\" at once as user 1001",
                                        stuck: "is every update of a batch handled, not only the first?")
            }
            try sandbox.expectNoReply(
                to: 1001, for: .seconds(1),
                because: "each message should be answered once — is the next getUpdates's offset the last update_id + 1?")

            let polls = try sandbox.calls("getUpdates")
            let offsets = polls.compactMap { $0.parameter("offset").flatMap { Int64($0) } }
            try expect(
                offsets.last == last + 1,
                "the bot's latest getUpdates had offset \(offsets.last.map(String.init) ?? "none"), but the last update it handled was \(last): the offset should be \(last + 1), which confirms every update up to \(last)")
            try expect(zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 },
                       "the bot's getUpdates offsets went backwards (\(offsets)): updates would come twice")
            try expect(offsets.allSatisfy { $0 <= last + 1 },
                       "a getUpdates offset went past the last update + 1 (\(offsets)): updates in between are lost")

            // Long polling: an idle bot waits on the server, it does not ask again and again.
            let before = polls.count
            Thread.sleep(forTimeInterval: 1.5)
            let idleCalls = try sandbox.calls("getUpdates").count - before
            try expect(idleCalls <= 3,
                       "while nothing happened for 1.5 s, the bot called getUpdates \(idleCalls) times: use long polling — a timeout of several seconds, so that each call waits on the server")
            try expect(polls.contains { (Int($0.parameter("timeout") ?? "") ?? 0) > 0 },
                       "no getUpdates had a timeout: that is polling, not long polling (the Dispatcher's pollTimeout)")
        },
        Step(3, "commands: /start, /help and the menu (setMyCommands)",
             hint: "bot.command(\"start\") and bot.command(\"help\"), and setMyCommands(Self.commands) before polling") { check in
            let (sandbox, _) = try startBot(check)
            try sandbox.say("/help", from: 1001, firstName: "Kim")
            let help = try sandbox.reply(to: 1001, after: "sent /help as user 1001",
                                         stuck: "does a handler for the command \"help\" reply?")
            try expect(help.contains("/start") && help.contains("/help"),
                       "the reply to /help should list the commands, /start and /help among them, but it was \(quoted(help))")
            try sandbox.say("/start", from: 1001, firstName: "Kim")
            let start = try sandbox.reply(to: 1001, after: "sent /start as user 1001",
                                          stuck: "does a handler for the command \"start\" reply?")
            try expect(start != "/start",
                       "the bot echoed /start: a message whose first entity is a bot_command at offset 0 is a command — give it a handler")
            try expect(!start.hasPrefix("I don't know"), "the bot answered /start with \(quoted(start)): is its handler registered as \"start\"?")
            try sandbox.say("/help@\(sandbox.botUsername)", from: 1002)
            let addressed = try sandbox.reply(to: 1002, after: "sent /help@\(sandbox.botUsername) (a command addressed to this bot, as in groups)",
                                              stuck: "a command may name the bot after an @: the Dispatcher handles that")
            try expect(addressed == help, "/help@\(sandbox.botUsername) should get the same answer as /help, but got \(quoted(addressed))")
            try sandbox.say("/nope", from: 1001)
            let unknown = try sandbox.reply(to: 1001, after: "sent the unknown command /nope",
                                            stuck: "an unknown command goes to the text handler with context.command set")
            try expect(unknown.contains("/help"),
                       "an unknown command should get a pointer to /help, but the reply to /nope was \(quoted(unknown))")
            try sandbox.say("just text", from: 1001)
            try sandbox.expectReply("just text", to: 1001, after: "sent \"just text\" after the commands",
                                    stuck: "plain text should still be echoed")

            let menus = try sandbox.calls("setMyCommands")
            try expect(!menus.isEmpty, "the bot never called setMyCommands: Telegram clients show no command menu")
            let commands = menus.last?.parameter("commands") ?? ""
            try expect(menus.last?.status == 200 && commands.contains("\"start\"") && commands.contains("\"help\""),
                       "setMyCommands should set at least start and help (and succeed), but it sent commands=\(quoted(commands)) and got HTTP \(menus.last?.status.map(String.init) ?? "nothing")")
        },
        Step(4, "the greeting: name, then age, then lab 1's dialogue — one state per chat",
             hint: "next(from:on:): one case per arrow of the state diagram; the dialogue comes from dialogue(name:age:)") { check in
            let (sandbox, _) = try startBot(check)
            let ask = "is the state model's (nil or any state, .greet) case answering \"Hi. What is your name?\"?"
            try sandbox.say("/greet", from: 1001, firstName: "Kim")
            try sandbox.expectReply("Hi. What is your name?", to: 1001, after: "sent /greet as user 1001", stuck: ask)
            try sandbox.say("/greet", from: 1002, firstName: "Lee")
            try sandbox.expectReply("Hi. What is your name?", to: 1002, after: "sent /greet as user 1002", stuck: ask)
            try sandbox.say("Kim, Younghee", from: 1001)
            try sandbox.expectReply("How old are you?", to: 1001, after: "user 1001 answered \"Kim, Younghee\" to \"What is your name?\"",
                                    stuck: "does the greeting's text handler take the answer (its condition: a greeting is going on)?")
            try sandbox.say("twenty-two", from: 1001)
            let again = try sandbox.reply(to: 1001, after: "user 1001 answered \"twenty-two\" to \"How old are you?\"",
                                          stuck: "an answer that is not a number should get the question again")
            try expect(again.contains("How old are you?"),
                       "an age that is not a number should be asked for again (with \"How old are you?\"), but the reply was \(quoted(again))")
            try sandbox.say("22", from: 1001)
            let dialogue = try sandbox.reply(to: 1001, after: "user 1001 answered \"22\" to \"How old are you?\"",
                                             stuck: "the last answer should get the whole dialogue")
            let expected = """
                \(sandbox.botFirstName): Hi. What is your name?
                Kim, Younghee: My name is Kim, Younghee.
                \(sandbox.botFirstName): How old are you?
                Kim, Younghee: I am 22.
                """
            try expect(dialogue == expected,
                       "the greeting's last reply should be lab 1's dialogue, the bot (\(sandbox.botFirstName), getMe's first_name) asking:\n\(indented(expected))\nbut it was:\n\(indented(dialogue))")
            try sandbox.say("hello again", from: 1001)
            try sandbox.expectReply("hello again", to: 1001, after: "sent \"hello again\" once the greeting was over",
                                    stuck: "after the dialogue the chat is idle again: next state nil")

            try sandbox.say("Lee, Mong", from: 1002)
            try sandbox.expectReply("How old are you?", to: 1002, after: "user 1002 answered \"Lee, Mong\" after user 1001's whole greeting",
                                    stuck: "each chat has its own state (ConversationStore keys it by chat id)")
            try sandbox.say("/cancel", from: 1002)
            _ = try sandbox.reply(to: 1002, after: "sent /cancel in the middle of a greeting", stuck: "/cancel should answer and end the greeting")
            try sandbox.say("30", from: 1002)
            try sandbox.expectReply("30", to: 1002, after: "sent \"30\" after /cancel",
                                    stuck: "/cancel should end the greeting (next state nil), so that \"30\" is echoed")
        },
        Step(5, "a greeting left hanging starts over after --conversation-timeout",
             hint: "ConversationStore(timeout:) forgets a chat's state when it has not changed for that long") { check in
            let (sandbox, _) = try startBot(check, ["--conversation-timeout", "1"])
            try sandbox.say("/greet", from: 1001, firstName: "Kim")
            try sandbox.expectReply("Hi. What is your name?", to: 1001, after: "sent /greet")
            Thread.sleep(forTimeInterval: 1.6)
            try sandbox.say("Kim", from: 1001)
            let late = try sandbox.reply(to: 1001, after: "answered \"Kim\" 1.6 s after \"What is your name?\" with --conversation-timeout 1",
                                         stuck: "the greeting should have been forgotten, and \"Kim\" echoed")
            try expect(late == "Kim",
                       "with --conversation-timeout 1, an answer 1.6 s late should find the greeting forgotten and be echoed, but the reply was \(quoted(late)) — does the ConversationStore get the timeout?")

            // The timeout counts from the last answer, not from /greet.
            try sandbox.say("/greet", from: 1001)
            try sandbox.expectReply("Hi. What is your name?", to: 1001, after: "sent /greet again")
            Thread.sleep(forTimeInterval: 0.6)
            try sandbox.say("Kim", from: 1001)
            try sandbox.expectReply("How old are you?", to: 1001, after: "answered \"Kim\" 0.6 s after the question",
                                    stuck: "an answer within the timeout continues the greeting")
            Thread.sleep(forTimeInterval: 0.6)
            try sandbox.say("22", from: 1001)
            let answer = try sandbox.reply(to: 1001, after: "answered \"22\" 0.6 s after \"How old are you?\" (1.2 s after /greet)",
                                           stuck: "the timeout restarts at each answer")
            try expect(answer.hasSuffix("Kim: I am 22."),
                       "each answer within the timeout should move the greeting on (the timeout restarts at each step), but \"22\" got \(quoted(answer))")
        },
        Step(6, "when the API fails: 429, 500, a dropped connection, a blocked user, a revoked token",
             hint: "let the client retry (do not catch and stop); log errors with onError; an invalid token must end the program") { check in
            let (sandbox, bot) = try startBot(check)
            try sandbox.say("ping", from: 1001)
            try sandbox.expectReply("ping", to: 1001, after: "sent \"ping\"")

            // 429: wait retry_after seconds, then send again.
            try sandbox.fault("sendMessage", errorCode: 429, retryAfter: 2)
            try sandbox.say("slow down", from: 1001)
            try sandbox.expectReply("slow down", to: 1001, after: "sendMessage got 429 Too Many Requests (retry_after 2) for the echo of \"slow down\"",
                                    within: .seconds(6), stuck: "after retry_after seconds the bot should send it again")
            let sends = try sandbox.calls("sendMessage").filter { $0.parameter("text") == "slow down" }
            if sends.count >= 2 {
                let waited = sends[1].date.timeIntervalSince(sends[0].date)
                try expect(waited >= 1.8, String(format: "after a 429 with retry_after 2 the bot sent again %.1f s later: it must wait the 2 s it was told", waited))
            }

            // 500 twice, then a dropped connection: the next getUpdates calls fail, the bot goes on.
            for (label, code, count) in [("500 Internal Server Error twice", 500, 2), ("a dropped connection", 0, 1)] {
                try sandbox.fault("getUpdates", errorCode: code, count: count)
                try sandbox.say("before \(label)", from: 1001)
                try sandbox.expectReply("before \(label)", to: 1001, after: "sent \"before \(label)\"")
                try sandbox.say("after \(label)", from: 1001)
                try sandbox.expectReply(
                    "after \(label)", to: 1001, after: "getUpdates got \(label), then user 1001 sent \"after \(label)\"",
                    within: .seconds(8), stuck: "a 5xx or a network failure passes: wait a little and poll again (the client does; does your code stop on the error?)")
            }

            // 403: a user who blocked the bot cannot be answered; the others still are.
            try sandbox.block(1003)
            try sandbox.say("you are blocked", from: 1003)
            try sandbox.say("still there?", from: 1004)
            try sandbox.expectReply("still there?", to: 1004, after: "user 1003 blocked the bot (sendMessage to them: 403 Forbidden), then user 1004 sent \"still there?\"",
                                    stuck: "a 403 concerns one chat: log it and go on")
            let said = bot.output + bot.process.standardError
            try expect(said.contains("blocked"),
                       "sending to user 1003, who blocked the bot, got 403 \"Forbidden: bot was blocked by the user\", but the bot said nothing about it: log errors (onError)")

            // 401: the token was revoked (BotFather's /revoke) while the bot ran: stop, and say why.
            try sandbox.fault("getUpdates", errorCode: 401)
            try sandbox.say("last words", from: 1001)  // ends the poll being held, if one is
            guard let ended = bot.process.waitForExit(timeout: .seconds(5)) else {
                throw CheckFailure("getUpdates answered 401 Unauthorized (the token was revoked), but the bot was still running 5 s later: an invalid token is fatal — let run()'s error end the program")
            }
            try expect(ended != .exited(0) && !ended.isCrash,
                       "after 401 Unauthorized the bot ended with \(ended): it should end with an error (status 1) that says the token was rejected")
            let last = bot.output + bot.process.standardError
            try expect(last.lowercased().contains("token"),
                       "after 401 Unauthorized the bot should say that its token was rejected, but it printed:\n" + indented(lastLines(last)))
        },
        Step(7, "a clean stop on Ctrl-C and SIGTERM, --token-file, and the token never shown",
             hint: "bot.run() stops on SIGINT/SIGTERM and confirms the last updates; pass --token-file to BotSettings.load; never print the token") { check in
            let sandbox = try check.startSandbox()
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("lab6-token-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            try Data((sandbox.token + "\n").utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let fromFile = ["TELEGRAM_API_URL": sandbox.url, "TELEGRAM_BOT_TOKEN": ""]
            var bots: [Program] = []

            for (number, signal) in [(1, SIGINT), (2, SIGTERM)] {
                let bot = try check.start("telegram-bot", ["--token-file", file.path], environment: fromFile)
                bots.append(bot)
                try bot.waitForLine(
                    containing: "@\(sandbox.botUsername)", timeout: .seconds(5),
                    waitingFor: "the getMe line, started with --token-file and no TELEGRAM_BOT_TOKEN — does it pass --token-file to BotSettings.load?")
                let text = "message \(number)"
                let sent = try sandbox.say(text, from: 1001)
                let reply = try sandbox.reply(to: 1001, after: "sent \"\(text)\" to the bot (run \(number))")
                try expect(reply != "message 1" || number == 1,
                           "the restarted bot answered \"message 1\" again: the first run did not confirm it before it stopped (run() does, with one last getUpdates)")
                try expect(reply == text, "sent \"\(text)\", the bot's reply should have been \(quoted(text)), but it was \(quoted(reply))")
                if number == 2 {
                    // Faults that make the client log, to see that no log line shows the token.
                    try sandbox.fault("getUpdates", errorCode: 500)
                    try sandbox.fault("sendMessage", errorCode: 0)
                    try sandbox.say("noisy", from: 1001)
                    try sandbox.expectReply("noisy", to: 1001, after: "sent \"noisy\"", within: .seconds(8))
                }
                _ = try sandbox.waitForHeldPoll()
                let name = signal == SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM"
                check.note("sending \(name) to \(bot.name)")
                bot.process.signal(signal)
                guard let ended = bot.process.waitForExit(timeout: .seconds(5)) else {
                    throw CheckFailure("after \(name) the bot was still running 5 s later: bot.run() stops on it by itself — is something else keeping the program alive?")
                }
                try expect(ended == .exited(0),
                           "after \(name) the bot should stop cleanly with status 0, but it ended with \(ended)")
                let lastPoll = try sandbox.calls("getUpdates").last
                let confirmed = sent.updateID.map { $0 + 1 + (number == 2 ? 1 : 0) }
                try expect(
                    lastPoll?.parameter("offset").flatMap { Int64($0) } == confirmed,
                    "after \(name) the bot's last getUpdates should confirm what it handled (offset \(confirmed.map(String.init) ?? "?")), but it had offset \(lastPoll?.parameter("offset") ?? "none") — without it, the next run gets the same updates again")
            }

            // A wrong token: refused at getMe, and not shown either.
            let botID = sandbox.token.prefix { $0 != ":" }
            let wrongSecret = "WrongSecret" + String(UInt64.random(in: 1_000_000...9_999_999))
            let wrong = try check.start(
                "telegram-bot", environment: ["TELEGRAM_API_URL": sandbox.url, "TELEGRAM_BOT_TOKEN": "\(botID):\(wrongSecret)"])
            bots.append(wrong)
            try wrong.waitForExit(timeout: .seconds(5))
            try expect(wrong.termination != .exited(0) && wrong.termination?.isCrash != true,
                       "with a wrong token (getMe: 401 Unauthorized) the bot ended with \(wrong.termination!): it should stop with an error")

            let secret = String(sandbox.token.drop { $0 != ":" }.dropFirst())
            for bot in bots {
                for (stream, text) in [("output", bot.output), ("standard error", bot.process.standardError)] {
                    for shown in [secret, wrongSecret] where text.contains(shown) {
                        let line = text.split(separator: "\n").first { $0.contains(shown) }.map(String.init) ?? ""
                        throw CheckFailure(
                            "\(bot.name) \(bot.arguments.joined(separator: " ")) showed the token on its \(stream): \(quoted(line.replacingOccurrences(of: shown, with: "<SECRET>"))) — whoever reads a terminal or a log could take the bot over: never print it (BotToken prints as <token>)")
                    }
                }
            }
        },
    ])

/// Starts a sandbox and the student's bot against it, and waits for the bot's getMe line.
private func startBot(_ check: Check, _ arguments: [String] = []) throws -> (BotSandbox, Program) {
    let sandbox = try check.startSandbox()
    let bot = try check.start("telegram-bot", arguments, environment: sandbox.environment)
    try bot.waitForLine(
        containing: "@\(sandbox.botUsername)", timeout: .seconds(5),
        waitingFor: "the line with the bot's username that getMe answered (step 1)")
    return (sandbox, bot)
}
