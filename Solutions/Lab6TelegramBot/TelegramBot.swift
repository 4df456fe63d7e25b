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
        let settings = try BotSettings.load(tokenFile: tokenFile)
        let client = BotClient(settings: settings)
        let me = try await client.getMe()
        print("I am @\(me.username ?? "?") (\(me.firstName), id \(me.id)), on \(client.apiURL.absoluteString)")
        return (client, me)
    }

    /// Step 2: a text that no other handler took comes back as it was sent; an unknown command gets a pointer.
    func addEcho(to bot: Dispatcher) async {
        await bot.text { context in
            if let command = context.command {
                try await context.reply("I don't know /\(command.name). Send /help for the commands I know.")
            } else {
                print("\(context.chatID): \(context.text)")
                try await context.reply(context.text)
            }
        }
    }

    /// Step 2 (and 7): long polling until Ctrl-C or SIGTERM; then run() confirms the last updates and returns.
    func poll(_ bot: Dispatcher) async throws {
        print("polling for updates (Ctrl-C to stop)")
        try await bot.run()
        stopped()
    }

    /// Step 7: run() has returned after Ctrl-C or SIGTERM, every update handled confirmed: the last line says so.
    func stopped() {
        print("stopped")
    }

    /// Step 3: the command menu, /start and /help.
    func addCommands(to bot: Dispatcher, me: User) async throws {
        try await bot.client.setMyCommands(Self.commands)
        await bot.command("start") { context in
            // A user's name is theirs to choose: "Kim <3" would break the HTML unless escaped.
            let name = ParseMode.html.escape(context.from?.firstName ?? "there")
            try await context.reply(
                """
                Hello, <b>\(name)</b>! I am \(ParseMode.html.escape(me.firstName)). Send /greet and we greet each \
                other as in lab 1; anything else I send back. /help lists my commands.
                """,
                parseMode: .html
            )
        }
        await bot.command("help") { context in
            try await context.reply(Self.commands.map { "/\($0.command) — \($0.description)" }.joined(separator: "\n"))
        }
    }

    /// Step 6: what went wrong, with the update it broke, on standard error; the bot goes on. (Retries after a 429,
    /// a 5xx or a dropped connection happen in the client; an invalid token ends run() with the error.)
    func reportErrors(of bot: Dispatcher) async {
        await bot.onError { error, update in
            let place = update.map { "update \($0.updateID)" + ($0.message.map { " (chat \($0.chat.id))" } ?? "") }
            let line = "error in \(place ?? "polling"): \(bot.client.redacted("\(error)"))\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
