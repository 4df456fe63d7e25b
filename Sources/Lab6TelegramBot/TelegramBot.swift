import ArgumentParser
import Foundation
import LabSupport
import TelegramKit

/// The lecture's Telegram bot, in Swift: it says who it is (getMe), answers /start and /help, greets a user as
/// lab 1's Humans greet each other, and sends every other text back. The same program runs against the offline
/// sandbox and against Telegram: only the environment differs.
/// Work through Labs/06-telegram-bot/README.md, and check with `make check LAB=6`.
@main
struct TelegramBot: AsyncLabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab6-telegram-bot",
        abstract: "A Telegram bot: /start, /help, the lab 1 greeting as a conversation, and echo.",
        discussion: """
            On Telegram: set TELEGRAM_BOT_TOKEN to the token @BotFather gave you (or use --token-file). Offline: \
            start telegram-sandbox (make sandbox) and set TELEGRAM_API_URL and TELEGRAM_BOT_TOKEN to what it \
            prints. Ctrl-C stops the bot cleanly.
            """
    )

    @Option(help: ArgumentHelp("Read the bot's token from this file instead of TELEGRAM_BOT_TOKEN.", valueName: "path"))
    var tokenFile: String?

    @Option(help: "Seconds a greeting waits for the user's answer before it starts over.")
    var conversationTimeout: Double = 300

    @Option(help: "Seconds each getUpdates long poll may wait for an update (1–50).")
    var pollTimeout = 30

    /// The commands: setMyCommands puts them in the clients' menu, and /help lists them.
    static let commands = [
        BotCommand("start", "say hello"),
        BotCommand("help", "list the commands"),
        BotCommand("greet", "greet each other, as in lab 1"),
        BotCommand("cancel", "stop the greeting"),
    ]

    func validate() throws {
        guard (1...50).contains(pollTimeout) else { throw ValidationError("--poll-timeout must be 1 to 50 seconds") }
        guard conversationTimeout > 0 else { throw ValidationError("--conversation-timeout must be above 0 seconds") }
    }

    func run() async throws {
        let (client, me) = try await meetTheBot()
        let bot = Dispatcher(client: client, pollTimeout: pollTimeout)
        try await addCommands(to: bot, me: me)
        // Handlers are tried in order: the greeting takes the answers it waits for, the echo the rest.
        let greeting = Greeting(botName: me.firstName, timeout: .seconds(conversationTimeout))
        await greeting.add(to: bot)
        await addEcho(to: bot)
        await reportErrors(of: bot)
        try await poll(bot)
    }

    /// Step 1: the token and the API from the environment, then getMe — the slide's `print(bot.get_me())`. A wrong
    /// token fails here, before anything else.
    func meetTheBot() async throws -> (BotClient, User) {
        // TODO step 1: load the settings with BotSettings.load(tokenFile: tokenFile) (the token from --token-file or
        //   TELEGRAM_BOT_TOKEN, the API from TELEGRAM_API_URL), make a BotClient(settings:), call getMe(), and print
        //   "I am @USERNAME (FIRST NAME, id ID), on API URL". Return the client and getMe's user.
        throw NotImplemented("step 1 — load the settings, make a BotClient, call getMe and print who the bot is")
    }

    /// Step 2: a text that no other handler took comes back as it was sent; an unknown command gets a pointer.
    func addEcho(to bot: Dispatcher) async {
        // TODO step 2: reply with the message's own text (context.text), and print "CHAT: TEXT" for yourself.
        // TODO step 3: a message that starts with an unknown command (context.command is set) gets
        //   "I don't know /NAME. Send /help for the commands I know." instead.
        await bot.text { _ in throw NotImplemented("step 2 — send the text back with context.reply") }
    }

    /// Step 2 (and 7): long polling until Ctrl-C or SIGTERM; then run() confirms the last updates and returns.
    func poll(_ bot: Dispatcher) async throws {
        // TODO step 2: print "polling for updates (Ctrl-C to stop)", then start the long polling: bot.run().
        // TODO step 7: once run() returns (it does after Ctrl-C or SIGTERM), call stopped().
        throw NotImplemented("step 2 — start long polling with bot.run()")
    }

    /// Step 7: run() has returned after Ctrl-C or SIGTERM, every update handled confirmed: the last line says so.
    func stopped() {
        // TODO step 7: print "stopped" — whoever ran the bot then knows it ended cleanly, not in a crash.
        notImplemented("step 7 — print \"stopped\" once bot.run() has returned")
    }

    /// Step 3: the command menu, /start and /help.
    func addCommands(to bot: Dispatcher, me: User) async throws {
        // TODO step 3: call bot.client.setMyCommands(Self.commands), so that Telegram clients show the menu. Then
        //   /start says hello in HTML, sent with parseMode: .html: "Hello, <b>NAME</b>! I am BOT. …" and what the
        //   bot does — the user's first name (context.from?.firstName) passed through ParseMode.html.escape, the
        //   bot's me.firstName; /help lists Self.commands, one "/NAME — DESCRIPTION" per line.
        await bot.command("start") { _ in throw NotImplemented("step 3 — answer /start") }
        await bot.command("help") { _ in throw NotImplemented("step 3 — answer /help with the list of commands") }
    }

    /// Step 6: what went wrong, with the update it broke, on standard error; the bot goes on. (Retries after a 429,
    /// a 5xx or a dropped connection happen in the client; an invalid token ends run() with the error.)
    func reportErrors(of bot: Dispatcher) async {
        // TODO step 6: bot.onError { error, update in … }: write "error in update ID (chat CHAT): ERROR" (or
        //   "error in polling: ERROR" without an update) to standard error, the error passed through
        //   bot.client.redacted(_:). Until then the dispatcher logs errors its own way.
        _ = bot
    }
}
