import Foundation
import TelegramKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lab 6 · Telegram bot: the student's bot against an offline Bot API (telegram-sandbox), the checker playing the
/// users. Never a real token, never the internet.
///
/// Every check looks for what the student's own code does — a line the handout asks for, a reply, an error line —
/// never for what TelegramKit or the checker would produce anyway: the dispatcher logs errors and confirms
/// offsets by itself, and the users' messages are the checker's own text.
let lab6 = Lab(
    number: 6,
    title: "Telegram bot",
    folder: "06-telegram-bot",
    programs: ["telegram-bot"],
    tools: ["telegram-sandbox"],
    steps: [
        Step(
            1,
            "getMe first: the bot says who it is; no token, a clear message",
            hint:
                "BotSettings.load(tokenFile:), BotClient(settings:), getMe(), then print \"I am @USERNAME (FIRST NAME, id ID), on API URL\"",
            moreHints: [
                "meetTheBot: `let settings = try BotSettings.load(tokenFile: tokenFile)` — without a token it throws an error that says where tokens come from (@BotFather): let it end the program. Then `let client = BotClient(settings: settings)`, `let me = try await client.getMe()`, print the line, `return (client, me)`.",
                "The line: `print(\"I am @\\(me.username ?? \"?\") (\\(me.firstName), id \\(me.id)), on \\(client.apiURL.absoluteString)\")`.",
            ]
        ) { check in
            let sandbox = try check.startSandbox()
            let bot = try check.start("telegram-bot", environment: sandbox.environment)
            sandbox.botStarted([])
            let expected =
                "I am @\(sandbox.botUsername) (\(sandbox.botFirstName), id \(sandbox.botID)), on \(sandbox.url)"
            let printed = try getMeLine(of: bot, sandbox, expecting: expected)
            try expect(
                printed,
                equals: expected,
                "the bot's line about itself (getMe's username, first_name and id, then the API's URL)"
            )
            let first = try sandbox.calls().first
            try expect(
                first?.method.lowercased() == "getme",
                "the bot's first Bot API call was \(first.map { quoted($0.method) } ?? "nothing"), but it should be getMe: it proves the token works and tells the bot its own name"
            )

            let tokenless = try check.start(
                "telegram-bot",
                environment: ["TELEGRAM_BOT_TOKEN": "", "TELEGRAM_API_URL": sandbox.url],
                deliberately: "without a token (TELEGRAM_BOT_TOKEN empty)"
            )
            try tokenless.waitForExit(timeout: .seconds(5))
            let said = tokenless.output + tokenless.process.standardError
            try expect(
                tokenless.termination?.isCrash != true,
                "started without TELEGRAM_BOT_TOKEN, the bot crashed (\(tokenless.termination!)): throw the error BotSettings.load gives instead"
            )
            try expect(
                tokenless.termination != .exited(0),
                "started without TELEGRAM_BOT_TOKEN, the bot exited with status 0, as if all was well"
            )
            try expect(
                said.contains("BotFather"),
                "started without TELEGRAM_BOT_TOKEN, the bot should say where a token comes from (@BotFather) — let BotSettings.load's error end the program — but it printed:\n"
                    + indented(lastLines(said))
            )
        },
        Step(
            2,
            "long polling: each message echoed once, none lost (offset = last update_id + 1)",
            hint:
                "register a text handler that prints \"CHAT: TEXT\" and replies with context.text; print \"polling for updates (Ctrl-C to stop)\", then call bot.run()",
            moreHints: [
                "addEcho: `await bot.text { context in … }` — the handler prints \"\\(context.chatID): \\(context.text)\" and replies with `try await context.reply(context.text)`. poll: print the line, then `try await bot.run()` — the Dispatcher calls getUpdates with the right offset, and your handlers for each update.",
                "Once each: one reply per call of the handler, and bot.run() called once — it loops by itself, and after each batch its next getUpdates confirms what was handled (offset = last update_id + 1).",
            ]
        ) { check in
            try expectBotEchoes(
                check,
                first: (1001, "Kim", "hello"),
                second: (1002, "Lee", "from another chat"),
                batch: ["one", "two", "three"]
            )
        },
        Step(
            3,
            "commands: /start in HTML, /help, unknown commands and the menu (setMyCommands)",
            hint:
                "setMyCommands(Self.commands) before polling; /start replies with parseMode: .html and the name escaped; /help lists the commands",
            moreHints: [
                "addCommands: `try await bot.client.setMyCommands(Self.commands)` first. Then `await bot.command(\"start\") { context in … }` replying with parseMode: .html — the user's first name escaped with ParseMode.html.escape, in <b>…</b>, and the bot's own name (me.firstName) — and `bot.command(\"help\")` replying with one \"/NAME — DESCRIPTION\" line per command. An unknown command reaches the echo handler with context.command set: answer it there.",
                "`let name = ParseMode.html.escape(context.from?.firstName ?? \"there\")`, then `try await context.reply(\"Hello, <b>\\(name)</b>! I am \\(ParseMode.html.escape(me.firstName)). …\", parseMode: .html)`. In addEcho: `if let command = context.command { try await context.reply(\"I don't know /\\(command.name). Send /help for the commands I know.\") }`.",
            ],
            needs: [2]
        ) { check in
            try expectBotCommands(check, user: (1001, "Kim <3"), helper: 1002, unknown: "nope")
        },
        Step(
            4,
            "the greeting: name, then age, then lab 1's dialogue — one state per chat",
            hint:
                "next(from:on:): one case per arrow of the state diagram; the dialogue comes from dialogue(name:age:)",
            moreHints: [
                "`switch (state, event)`: (_, .greet) → (.askedName, \"Hi. What is your name?\"); (nil, .cancel) and (_, .cancel) → (nil, their two replies); (.askedName, .text(let name)) → (.askedAge(name: name), \"How old are you?\"); (.askedAge(let name), .text(let text)) → with a number, (nil, dialogue(name: name, age: age)), else stay and ask again. Swift takes the first case that matches: (nil, .cancel) before (_, .cancel).",
                "The age: `guard let age = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return (state, \"Please answer with a number. How old are you?\") }`. (nil, .text) never reaches the model — the greeting's handler takes texts only while a greeting is on — so `(nil, .text(let text))` may return (nil, text).",
            ],
            needs: [2]
        ) { check in
            try expectBotGreeting(check, first: (1001, "Kim, Younghee", 22), second: (1002, "Lee, Mong"), echoed: "30")
        },
        Step(
            5,
            "a greeting left hanging starts over after --conversation-timeout",
            hint: "ConversationStore(timeout:) forgets a chat's state when it has not changed for that long",
            moreHints: [
                "In Greeting.init: `chats = ConversationStore(timeout: timeout)` instead of `ConversationStore()` — the store forgets a chat whose state has not been set for that long, and the chat is idle again: its next text is echoed."
            ]
        ) { check in
            let (sandbox, _) = try startBot(check, ["--conversation-timeout", "1.5"])
            try sandbox.say("/greet", from: 1001, firstName: "Kim")
            try sandbox.expectReply("Hi. What is your name?", to: 1001, after: "sent /greet")
            // Time is what this step is about: these waits are the user taking long, not the checker hoping. The
            // bot stores the state before it replies, so 1.6 s after the reply is over 1.5 s after the state.
            Thread.sleep(forTimeInterval: 1.6)
            try sandbox.say("Kim", from: 1001)
            let late = try sandbox.reply(
                to: 1001,
                after: "answered \"Kim\" 1.6 s after \"What is your name?\" with --conversation-timeout 1.5",
                stuck: "the greeting should have been forgotten, and \"Kim\" echoed"
            )
            try expect(
                late == "Kim",
                "with --conversation-timeout 1.5, an answer 1.6 s late should find the greeting forgotten and be echoed, but the reply was \(quoted(late)) — does the ConversationStore get the timeout?"
            )

            // The timeout counts from the last answer, not from /greet: three answers 0.6 s apart take 1.8 s in all.
            // (Each 0.6 s leaves 0.9 s for the messages to travel, however loaded the machine.)
            try sandbox.say("/greet", from: 1001)
            try sandbox.expectReply("Hi. What is your name?", to: 1001, after: "sent /greet again")
            for (answer, reply, when) in [
                ("Kim", "How old are you?", "0.6 s after the question"),
                (
                    "twenty-two", "Please answer with a number. How old are you?",
                    "0.6 s after \"How old are you?\" (1.2 s after /greet)"
                ),
            ] {
                Thread.sleep(forTimeInterval: 0.6)
                try sandbox.say(answer, from: 1001)
                try sandbox.expectReply(
                    reply,
                    to: 1001,
                    after: "answered \(quoted(answer)) \(when)",
                    stuck: "an answer within the timeout continues the greeting"
                )
            }
            Thread.sleep(forTimeInterval: 0.6)
            try sandbox.say("22", from: 1001)
            let answer = try sandbox.reply(
                to: 1001,
                after: "answered \"22\" 0.6 s after the question came again (1.8 s after /greet)",
                stuck: "the timeout restarts at each answer"
            )
            try expect(
                answer.hasSuffix("Kim: I am 22."),
                "each answer within the timeout should move the greeting on (the timeout restarts at each answer), but \"22\", 1.8 s after /greet, got \(quoted(answer))"
            )
        },
        Step(
            6,
            "when the API fails: 429, no answer, a blocked user, a revoked token",
            hint:
                "bot.onError writes \"error in update ID (chat CHAT): ERROR\" or \"error in polling: ERROR\" to standard error; never catch run()'s error",
            moreHints: [
                "reportErrors: `await bot.onError { error, update in … }`. The place is \"update ID (chat CHAT)\" from `update.updateID` and `update.message?.chat.id`, or \"polling\" when update is nil; the line goes to standard error (`FileHandle.standardError.write(Data(line.utf8))`), the error passed through `bot.client.redacted(\"\\(error)\")`, so that no token shows. Retries after 429, 5xx or a dropped connection happen in BotClient: nothing to write for them.",
                "`let place = update.map { \"update \\($0.updateID)\" + ($0.message.map { \" (chat \\($0.chat.id))\" } ?? \"\") }`, then `\"error in \\(place ?? \"polling\"): \\(bot.client.redacted(\"\\(error)\"))\\n\"`. And a 401 ends bot.run() with an error: do not catch it in poll or run — the program ends, saying why.",
            ],
            needs: [2]
        ) { check in
            let (sandbox, bot) = try startBot(check)
            try sandbox.say("ping", from: 1001)
            try sandbox.expectReply("ping", to: 1001, after: "sent \"ping\"")

            // 429: wait retry_after seconds, then send again. (BotClient does; the bot must not give up.)
            try sandbox.fault("sendMessage", errorCode: 429, retryAfter: 1)
            try sandbox.say("slow down", from: 1001)
            try sandbox.expectReply(
                "slow down",
                to: 1001,
                after: "sendMessage got 429 Too Many Requests (retry_after 1) for the echo of \"slow down\"",
                within: .seconds(5),
                stuck:
                    "after retry_after seconds the bot should send it again (BotClient does, unless its retryPolicy was turned off)"
            )
            let sends = try sandbox.calls("sendMessage").filter { $0.parameter("text") == "slow down" }
            if sends.count >= 2 {
                let waited = sends[1].date.timeIntervalSince(sends[0].date)
                try expect(
                    waited >= 0.9,
                    String(
                        format:
                            "after a 429 with retry_after 1 the bot sent again %.1f s later: it must wait the 1 s it was told",
                        waited
                    )
                )
            }

            // No answer at all: the reply's connection drops. It passes: the client sends again after a second.
            // (A failed poll is retried by the Dispatcher itself, whatever the bot's code does: no use checking it.)
            try sandbox.fault("sendMessage", errorCode: 0)
            try sandbox.say("dropped", from: 1001)
            try sandbox.expectReply(
                "dropped",
                to: 1001,
                after: "the echo of \"dropped\" lost its connection (no answer from the API)",
                within: .seconds(5),
                stuck:
                    "a network failure passes: BotClient sends again after a second — unless its retryPolicy was turned off"
            )

            // 403: a user who blocked the bot cannot be answered; the error handler says so, the others still are.
            try sandbox.block(1003)
            let blocked = try sandbox.say("you are blocked", from: 1003)
            try sandbox.say("still there?", from: 1004)
            try sandbox.expectReply(
                "still there?",
                to: 1004,
                after:
                    "user 1003 blocked the bot (sendMessage to them: 403 Forbidden), then user 1004 sent \"still there?\"",
                stuck: "a 403 concerns one chat: report it and go on"
            )
            let forbidden = TelegramError.forbidden(description: "Forbidden: bot was blocked by the user")
            try expectErrorLine(
                "error in update \(blocked.updateID ?? 0) (chat 1003): \(forbidden)",
                of: bot,
                after: "sending to user 1003, who blocked the bot, got 403 Forbidden"
            )

            // 401: the token was revoked (BotFather's /revoke) while the bot ran: stop, and say why.
            try sandbox.fault("getUpdates", errorCode: 401)
            try sandbox.say("last words", from: 1001)  // ends the poll being held; the next one gets the 401
            guard let ended = bot.process.waitForExit(timeout: .seconds(5)) else {
                throw CheckFailure(
                    "getUpdates answered 401 Unauthorized (the token was revoked), but the bot was still running 5 s later: an invalid token is fatal — let run()'s error end the program"
                )
            }
            try expect(
                ended != .exited(0) && !ended.isCrash,
                "after 401 Unauthorized the bot ended with \(ended): it should end with an error (status 1) that says the token was rejected — do not catch run()'s error"
            )
            try expectErrorLine(
                "error in polling: \(TelegramError.invalidToken(description: "Unauthorized"))",
                of: bot,
                after: "getUpdates got 401 Unauthorized"
            )
        },
        Step(
            7,
            "a clean stop on Ctrl-C and SIGTERM, --token-file, and the token never shown",
            hint:
                "print \"stopped\" once bot.run() returns; pass --token-file to BotSettings.load; never print the token",
            moreHints: [
                "bot.run() returns by itself after Ctrl-C or SIGTERM, once its last getUpdates has confirmed what was handled: in poll, call stopped() after it, and stopped() prints \"stopped\" — the program's last line; run() then returns, and the program ends with status 0. --token-file comes with step 1's BotSettings.load(tokenFile: tokenFile). The token: never print the settings, or a URL with the token in it; errors go through bot.client.redacted.",
                "In poll, right after `try await bot.run()`: `stopped()`. Nothing needs to come after it: run() returns, and the program ends with status 0.",
            ],
            needs: [2]
        ) { check in
            let sandbox = try check.startSandbox()
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "lab6-token-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            )
            try Data((sandbox.token + "\n").utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let fromFile = ["TELEGRAM_API_URL": sandbox.url, "TELEGRAM_BOT_TOKEN": ""]
            var bots: [Program] = []
            sandbox.botStarted([])  // the replay sets the token in the environment: no file to make

            for (number, signal) in [(1, SIGINT), (2, SIGTERM)] {
                let bot = try check.start("telegram-bot", ["--token-file", file.path], environment: fromFile)
                bots.append(bot)
                try bot.waitForLine(
                    containing: "@\(sandbox.botUsername)",
                    timeout: .seconds(5),
                    waitingFor:
                        "the getMe line, started with --token-file and no TELEGRAM_BOT_TOKEN — does it pass --token-file to BotSettings.load?"
                )
                let text = "message \(number)"
                var last = try sandbox.say(text, from: 1001).updateID ?? 0
                let reply = try sandbox.reply(to: 1001, after: "sent \"\(text)\" to the bot (run \(number))")
                try expect(
                    reply != "message 1" || number == 1,
                    "the restarted bot answered \"message 1\" again: the first run did not confirm it before it stopped (run() does, with one last getUpdates)"
                )
                try expect(
                    reply == text,
                    "sent \"\(text)\", the bot's reply should have been \(quoted(text)), but it was \(quoted(reply))"
                )
                if number == 2 {
                    // A reply the API refuses: the error handler writes a line, which must not show the token either.
                    try sandbox.fault("sendMessage", errorCode: 400)
                    last = try sandbox.say("refused", from: 1001).updateID ?? last
                }
                try sandbox.waitUntilIdle(
                    confirming: last + 1,
                    after: "before the \(number == 1 ? "SIGINT" : "SIGTERM")"
                )
                let name = signal == SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM"
                check.note("sending \(name) to \(bot.name)")
                bot.process.signal(signal)
                guard let ended = bot.process.waitForExit(timeout: .seconds(5)) else {
                    throw CheckFailure(
                        "after \(name) the bot was still running 5 s later: bot.run() stops on it by itself — is something else keeping the program alive?"
                    )
                }
                try expect(
                    ended == .exited(0),
                    "after \(name) the bot should stop cleanly with status 0, but it ended with \(ended) — let poll() return once bot.run() does"
                )
                let lastPoll = try sandbox.calls("getUpdates").last
                try expect(
                    lastPoll?.parameter("offset").flatMap { Int64($0) } == last + 1,
                    "after \(name) the bot's last getUpdates should confirm what it handled (offset \(last + 1)), but it had offset \(lastPoll?.parameter("offset") ?? "none") — without it, the next run gets the same updates again"
                )
                try expect(
                    bot.outputLines.last == "stopped",
                    "after \(name) the bot's last line should be \"stopped\", printed once bot.run() returns, but "
                        + (bot.outputLines.last.map { "it was \(quoted($0))" } ?? "it printed nothing")
                )
            }

            // A wrong token: refused at getMe, and not shown either.
            let botID = sandbox.token.prefix { $0 != ":" }
            let wrongSecret = "WrongSecret" + String(UInt64.random(in: 1_000_000...9_999_999))
            let wrong = try check.start(
                "telegram-bot",
                environment: ["TELEGRAM_API_URL": sandbox.url, "TELEGRAM_BOT_TOKEN": "\(botID):\(wrongSecret)"],
                deliberately: "with a wrong token"
            )
            bots.append(wrong)
            try wrong.waitForExit(timeout: .seconds(5))
            try expect(
                wrong.termination != .exited(0) && wrong.termination?.isCrash != true,
                "started deliberately with a wrong token (getMe: 401 Unauthorized), the bot ended with \(wrong.termination!): it should stop with an error"
            )

            let secret = String(sandbox.token.drop { $0 != ":" }.dropFirst())
            for bot in bots {
                for (stream, text) in [("output", bot.output), ("standard error", bot.process.standardError)] {
                    for shown in [secret, wrongSecret] where text.contains(shown) {
                        let line = text.split(separator: "\n").first { $0.contains(shown) }.map(String.init) ?? ""
                        let run =
                            bot.purpose.map { "the run \($0)" } ?? "\(bot.name) \(bot.arguments.joined(separator: " "))"
                        throw CheckFailure(
                            "\(run) showed the token on its \(stream): \(quoted(line.replacingOccurrences(of: shown, with: "<SECRET>"))) — whoever reads a terminal or a log could take the bot over: never print it (BotToken prints as <token>)"
                        )
                    }
                }
            }
        },
    ]
)

// MARK: The checks, their values as parameters: the handout's here, others drawn in the held-back variants

/// Step 2: `first` and `second` (user id, first name, text) each write once, then `first` sends `batch` at once: each
/// must be echoed once, to its own chat, with the handler's own line for the first two; then the bot must be idle,
/// every update confirmed.
public func expectBotEchoes(
    _ check: Check,
    first: (id: Int64, firstName: String, text: String),
    second: (id: Int64, firstName: String, text: String),
    batch: [String]
) throws {
    let (sandbox, bot) = try startBot(check)
    try sandbox.say(first.text, from: first.id, firstName: first.firstName)
    try sandbox.expectReply(
        first.text,
        to: first.id,
        after: "sent \(quoted(first.text)) as user \(first.id)",
        stuck: "is it calling getUpdates (bot.run()), and replying with the message's text?"
    )
    try sandbox.say(second.text, from: second.id, firstName: second.firstName)
    try sandbox.expectReply(
        second.text,
        to: second.id,
        after: "sent \(quoted(second.text)) as user \(second.id)",
        stuck: "does it answer the chat the message came from (context.reply)?"
    )
    try expectLine("polling for updates (Ctrl-C to stop)", of: bot, what: "poll()'s line, before bot.run()")
    for user in [first, second] {
        try expectLine(
            "\(user.id): \(user.text)",
            of: bot,
            what: "the echo handler's own line \"CHAT: TEXT\" for each message it echoes"
        )
    }

    // Several at once: they reach the bot in one batch.
    var last: Int64 = 0
    for text in batch {
        last = try sandbox.say(text, from: first.id).updateID ?? last
    }
    let sent = batch.map(quoted).joined(separator: ", ")
    for text in batch {
        try sandbox.expectReply(
            text,
            to: first.id,
            after: "sent \(sent) at once as user \(first.id)",
            stuck: "is every update of a batch handled, not only the first?"
        )
    }
    // Idle again, every update confirmed: an echo sent twice would have been sent by now.
    try sandbox.waitUntilIdle(confirming: last + 1, after: "once it had echoed \(quoted(batch.last ?? ""))")
    try sandbox.expectNoReply(
        to: first.id,
        for: .zero,
        because: "each message should be answered once — does the handler reply more than once?"
    )
}

/// Step 4: `first` (user id, the name it answers, its age) goes through the whole greeting — with an age that is not a
/// number on the way — while `second` (id, name) starts one too; then `second` answers its name and cancels, and its
/// `echoed` text (a number) is then echoed, not taken as an age.
public func expectBotGreeting(
    _ check: Check,
    first: (id: Int64, name: String, age: Int),
    second: (id: Int64, name: String),
    echoed: String
) throws {
    let (sandbox, _) = try startBot(check)
    try sandbox.say("/cancel", from: first.id, firstName: "Kim")
    try sandbox.expectReply(
        "There is no greeting to cancel. Send /greet to start one.",
        to: first.id,
        after: "sent /cancel with no greeting going on",
        stuck: "the state model's (nil, .cancel) case should answer"
    )
    let ask = "is the state model's (nil or any state, .greet) case answering \"Hi. What is your name?\"?"
    try sandbox.say("/greet", from: first.id, firstName: "Kim")
    try sandbox.expectReply(
        "Hi. What is your name?",
        to: first.id,
        after: "sent /greet as user \(first.id)",
        stuck: ask
    )
    try sandbox.say("/greet", from: second.id, firstName: "Lee")
    try sandbox.expectReply(
        "Hi. What is your name?",
        to: second.id,
        after: "sent /greet as user \(second.id)",
        stuck: ask
    )
    try sandbox.say(first.name, from: first.id)
    try sandbox.expectReply(
        "How old are you?",
        to: first.id,
        after: "user \(first.id) answered \(quoted(first.name)) to \"What is your name?\"",
        stuck: "does the greeting's text handler take the answer (its condition: a greeting is going on)?"
    )
    try sandbox.say("twenty-two", from: first.id)
    try sandbox.expectReply(
        "Please answer with a number. How old are you?",
        to: first.id,
        after: "user \(first.id) answered \"twenty-two\" to \"How old are you?\"",
        stuck: "an answer that is not a number should get the question again"
    )
    try sandbox.say(String(first.age), from: first.id)
    let dialogue = try sandbox.reply(
        to: first.id,
        after: "user \(first.id) answered \"\(first.age)\" to \"How old are you?\"",
        stuck: "the last answer should get the whole dialogue"
    )
    let expected = """
        \(sandbox.botFirstName): Hi. What is your name?
        \(first.name): My name is \(first.name).
        \(sandbox.botFirstName): How old are you?
        \(first.name): I am \(first.age).
        """
    try expect(
        dialogue == expected,
        "the greeting's last reply should be lab 1's dialogue, the bot (\(sandbox.botFirstName), getMe's first_name) asking:\n\(indented(expected))\nbut it was:\n\(indented(dialogue))"
    )
    try sandbox.say("hello again", from: first.id)
    try sandbox.expectReply(
        "hello again",
        to: first.id,
        after: "sent \"hello again\" once the greeting was over",
        stuck: "after the dialogue the chat is idle again: next state nil"
    )

    try sandbox.say(second.name, from: second.id)
    try sandbox.expectReply(
        "How old are you?",
        to: second.id,
        after: "user \(second.id) answered \(quoted(second.name)) after user \(first.id)'s whole greeting",
        stuck: "each chat has its own state (ConversationStore keys it by chat id)"
    )
    try sandbox.say("/cancel", from: second.id)
    try sandbox.expectReply(
        "OK, let's stop here. Send /greet to start again.",
        to: second.id,
        after: "sent /cancel in the middle of a greeting",
        stuck: "/cancel should answer and end the greeting"
    )
    try sandbox.say(echoed, from: second.id)
    try sandbox.expectReply(
        echoed,
        to: second.id,
        after: "sent \(quoted(echoed)) after /cancel",
        stuck: "/cancel should end the greeting (next state nil), so that \(quoted(echoed)) is echoed"
    )
}

/// Step 3: the menu set before polling; /help (and /help@BOT) from user `helper`; /start from `user`, whose first
/// name needs escaping in HTML; the unknown command `/unknown`; then plain text, still echoed.
public func expectBotCommands(
    _ check: Check,
    user: (id: Int64, firstName: String),
    helper: Int64,
    unknown: String
) throws {
    let (sandbox, _) = try startBot(check)
    guard try sandbox.heldPoll() != nil else {
        throw CheckFailure(
            "the bot never waited for updates (getUpdates), so it cannot answer commands: step 2's polling comes first"
        )
    }
    // The menu: set before polling began.
    let menus = try sandbox.calls("setMyCommands")
    guard let menu = menus.last else {
        throw CheckFailure(
            "the bot never called setMyCommands before polling: Telegram clients would show no command menu — call bot.client.setMyCommands(Self.commands) in addCommands"
        )
    }
    let commands =
        menu.parameter("commands").flatMap { try? JSONDecoder().decode([BotCommand].self, from: Data($0.utf8)) } ?? []
    try expect(
        menu.status == 200 && commands.contains { $0.command == "start" } && commands.contains { $0.command == "help" },
        "setMyCommands should set at least start and help (and succeed), but it sent commands=\(quoted(menu.parameter("commands") ?? "")) and got HTTP \(menu.status.map(String.init) ?? "nothing")"
            + (menu.description.map { ": \(quoted($0))" } ?? "")
    )

    try sandbox.say("/help", from: helper, firstName: "Lee")
    let help = try sandbox.reply(
        to: helper,
        after: "sent /help as user \(helper)",
        stuck: "does the handler for the command \"help\" reply?"
    )
    let list = commands.map { "/\($0.command) — \($0.description)" }.joined(separator: "\n")
    try expect(
        help,
        equals: list,
        "the reply to /help (the commands the bot gave setMyCommands, one \"/NAME — DESCRIPTION\" per line)"
    )
    try sandbox.say("/help@\(sandbox.botUsername)", from: helper)
    let addressed = try sandbox.reply(
        to: helper,
        after: "sent /help@\(sandbox.botUsername) (a command addressed to this bot, as in groups)",
        stuck: "a command may name the bot after an @: the Dispatcher handles that"
    )
    try expect(addressed, equals: help, "the reply to /help@\(sandbox.botUsername)")

    // /start greets the user by name, in bold: HTML, and a name that needs escaping.
    let name = user.firstName
    try sandbox.say("/start", from: user.id, firstName: name)
    let start = try sandbox.message(
        to: user.id,
        after: "sent /start as user \(user.id), whose first name is \(quoted(name))",
        stuck:
            "does the handler for the command \"start\" reply? A name with a < in it must be escaped before it goes into HTML (ParseMode.html.escape), or Telegram refuses the whole message"
    )
    try expect(
        start.text != "/start",
        "the bot echoed /start: a message whose first entity is a bot_command at offset 0 is a command — give it a handler"
    )
    try expect(
        start.parseMode?.lowercased() == "html",
        "the reply to /start was sent without parse_mode HTML, so \(start.text.contains("<b>") ? "its tags show as text" : "nothing in it is bold"): \(quoted(start.text)) — reply with parseMode: .html"
    )
    let bold = start.entities.filter { $0.type == "bold" }.compactMap { $0.covered(in: start.text) }
    try expect(
        bold.contains(name),
        "the reply to /start should show the user's first name, \(quoted(name)), in bold (<b>…</b>), but "
            + (bold.isEmpty ? "nothing in it is bold" : "what is bold is \(bold.map(quoted).joined(separator: ", "))")
            + (start.text.contains("&lt;") ? " — it shows \"&lt;\": escape the name once, not twice" : "")
            + ": \(quoted(start.text))"
    )
    try expect(
        start.text.contains(sandbox.botFirstName),
        "the reply to /start should say the bot's own name (getMe's first_name, \(quoted(sandbox.botFirstName))), but it was \(quoted(start.text))"
    )

    try sandbox.say("/\(unknown)", from: user.id)
    try sandbox.expectReply(
        "I don't know /\(unknown). Send /help for the commands I know.",
        to: user.id,
        after: "sent the unknown command /\(unknown)",
        stuck: "an unknown command goes to the text handler with context.command set"
    )
    try sandbox.say("just text", from: user.id)
    try sandbox.expectReply(
        "just text",
        to: user.id,
        after: "sent \"just text\" after the commands",
        stuck: "plain text should still be echoed"
    )
}

/// Starts a sandbox and the student's bot against it, and waits for the bot's getMe line.
private func startBot(_ check: Check, _ arguments: [String] = []) throws -> (BotSandbox, Program) {
    let sandbox = try check.startSandbox()
    let bot = try check.start("telegram-bot", arguments, environment: sandbox.environment)
    sandbox.botStarted(arguments)
    try bot.waitForLine(
        containing: "@\(sandbox.botUsername)",
        timeout: .seconds(5),
        waitingFor: "the line with the bot's username that getMe answered (step 1)"
    )
    return (sandbox, bot)
}

/// The bot's line about itself (one that starts "I am" or names the bot), or a failure that quotes what it
/// printed instead.
private func getMeLine(of bot: Program, _ sandbox: BotSandbox, expecting expected: String) throws -> String {
    let username = "@" + sandbox.botUsername
    if let line = bot.process.waitForLine(
        timeout: .seconds(5),
        where: { $0.hasPrefix("I am") || $0.contains(username) }
    ) {
        return line
    }
    let printed = bot.output.isEmpty ? "it printed nothing" : "it printed:\n" + indented(lastLines(bot.output))
    if let ended = bot.process.waitForExit(timeout: .milliseconds(100)) {
        throw CheckFailure(
            "the bot ended (\(ended)) without printing its line about itself, \(quoted(expected)); \(printed)"
        )
    }
    throw CheckFailure("the bot did not print its line about itself, \(quoted(expected)), within 5 s; \(printed)")
}

/// Waits briefly for the exact `line` on the bot's standard output (what it printed is already on its way).
private func expectLine(_ line: String, of bot: Program, what: String) throws {
    guard bot.process.waitForLine(timeout: .seconds(1), where: { $0 == line }) == nil else { return }
    throw CheckFailure(
        "the bot should have printed \(quoted(line)) — \(what) — but its output was:\n"
            + indented(lastLines(bot.output))
    )
}

/// Waits briefly for the exact error line `line` on the bot's standard error, the line the student's error handler
/// writes; fails saying what came instead (the dispatcher's own log line, or the line on standard output).
private func expectErrorLine(_ line: String, of bot: Program, after what: String) throws {
    let found = bot.process.waitUntil(timeout: .seconds(1)) { _, errors in
        String(decoding: errors, as: UTF8.self).split(separator: "\n").contains { $0 == line }
    }
    guard !found else { return }
    let errors = bot.process.standardError.split(separator: "\n").map(String.init)
    let prefix = String(line.prefix { $0 != ":" })
    var why: String
    if bot.outputLines.contains(line) {
        why = "the line went to standard output: errors go to standard error (FileHandle.standardError)"
    } else if let near = errors.first(where: { $0.hasPrefix(prefix) })
        ?? errors.first(where: { $0.hasPrefix("error in") })
    {
        why = "the closest line on its standard error was \(quoted(near))"
    } else if let logged = errors.last(where: { $0.hasPrefix("[telegram]") && !$0.contains("info:") }) {
        why =
            "only the dispatcher's own log line came, \(quoted(logged)): the bot has no error handler of its own (bot.onError)"
    } else {
        why = "its standard error was:\n" + indented(lastLines(bot.process.standardError))
    }
    throw CheckFailure(
        "\(what), the bot's error handler should have written \(quoted(line)) to standard error, but \(why)"
    )
}
