import Foundation

/// What a handler gets: the update, its message, the command if it is one, and a way to answer.
public struct Context: Sendable {
    public let client: BotClient
    public let update: Update
    public let message: Message
    /// The command the message starts with, if it does (see `Command.init(message:botUsername:)`).
    public let command: Command?

    public var chatID: Int64 { message.chat.id }
    public var text: String { message.text ?? "" }
    public var from: User? { message.from }

    /// Sends a message to the chat this update came from.
    @discardableResult
    public func reply(
        _ text: String,
        parseMode: ParseMode? = nil,
        replyMarkup: ReplyMarkup? = nil
    ) async throws
        -> Message
    {
        try await client.sendMessage(chatID: chatID, text: text, parseMode: parseMode, replyMarkup: replyMarkup)
    }
}

/// A small long-polling dispatcher: command handlers, text handlers, an error handler, and a
/// graceful stop that confirms the last batch.
///
///     let bot = Dispatcher(client: client)
///     await bot.command("start") { try await $0.reply("Hello!") }
///     await bot.text { try await $0.reply($0.text) }
///     try await bot.run()          // until SIGINT or SIGTERM
///
/// Updates are handled one at a time, in order. A command with a handler goes to it; any other
/// message with text goes to the first text handler whose condition holds (an unknown command
/// too, with `context.command` set). Errors from handlers go to the error handler and the bot
/// goes on, except an invalid token, which stops `run()` with that error.
public actor Dispatcher {
    public typealias Handler = @Sendable (Context) async throws -> Void
    public typealias Condition = @Sendable (Context) async -> Bool
    public typealias ErrorHandler = @Sendable (any Error, Update?) async -> Void

    public nonisolated let client: BotClient
    /// The long poll's `timeout` in seconds.
    public let pollTimeout: Int
    public let allowedUpdates: [String]?

    private var commands: [String: Handler] = [:]
    private var textHandlers: [(condition: Condition?, handler: Handler)] = []
    private var errorHandler: ErrorHandler?

    /// The bot, as getMe answered when `run()` started.
    public private(set) var me: User?
    /// The offset of the next getUpdates: the last handled update's id + 1.
    public private(set) var nextOffset: Int64?
    private var confirmedOffset: Int64?
    private var stopRequested = false
    private var poll: Task<[Update], any Error>?
    private var fatalError: TelegramError?

    public init(client: BotClient, pollTimeout: Int = 30, allowedUpdates: [String]? = ["message"]) {
        self.client = client
        self.pollTimeout = pollTimeout
        self.allowedUpdates = allowedUpdates
    }

    /// Handles `/name` (the name without its slash; compared without regard to case).
    public func command(_ name: String, _ handler: @escaping Handler) {
        commands[Self.key(name)] = handler
    }

    /// Handles a text message when `condition` holds (always, without one). Handlers are tried
    /// in the order they were added; the first whose condition holds gets the message.
    public func text(when condition: Condition? = nil, _ handler: @escaping Handler) {
        textHandlers.append((condition, handler))
    }

    /// Gets the errors that handlers throw and the polling errors; without one, they are logged.
    public func onError(_ handler: @escaping ErrorHandler) {
        errorHandler = handler
    }

    /// Asks `run()` to stop: the long poll in progress is cancelled, the update being handled
    /// is finished, and the handled ones are confirmed.
    public func stop() {
        stopRequested = true
        poll?.cancel()
    }

    /// Polls and handles updates until `stop()` (or SIGINT/SIGTERM when `stopOnSignals`), then
    /// confirms the handled updates with one getUpdates(offset: next, timeout: 0).
    /// Throws when the token is invalid (at once, or when a later call finds it so).
    public func run(stopOnSignals: Bool = true) async throws {
        stopRequested = false
        fatalError = nil
        let signals =
            stopOnSignals
            ? SignalStop { [weak self] number in
                Task { await self?.stopOnSignal(number) }
            } : nil
        defer { signals?.cancel() }

        me = try await client.getMe()
        client.logger.info("polling as @\(me?.username ?? "?") (id \(me?.id ?? 0))")

        var failures = 0
        while !stopRequested {
            let task = Task { [client, nextOffset, pollTimeout, allowedUpdates] in
                try await client.getUpdates(offset: nextOffset, timeout: pollTimeout, allowedUpdates: allowedUpdates)
            }
            poll = task
            let updates: [Update]
            do {
                updates = try await task.value
                poll = nil
                failures = 0
            } catch {
                poll = nil
                if stopRequested || error is CancellationError { break }
                if let telegramError = error as? TelegramError, telegramError.isFatal {
                    await report(telegramError, nil)
                    throw telegramError
                }
                await report(error, nil)
                failures += 1
                let delay = client.retryPolicy.backoff(afterFailures: failures)
                do { try await client.retryPolicy.sleep(delay) } catch { break }
                continue
            }
            for update in updates {
                if stopRequested { break }
                await handle(update)
                nextOffset = update.updateID + 1
                if let fatalError { throw fatalError }
            }
        }
        await confirm()
    }

    /// Handles one update as `run()` would (exposed for tests and for webhook-style use).
    public func handle(_ update: Update) async {
        guard let message = update.message else { return }
        let command = Command(message: message, botUsername: me?.username)
        let context = Context(client: client, update: update, message: message, command: command)
        do {
            if let command, let handler = commands[Self.key(command.name)] {
                try await handler(context)
                return
            }
            guard message.text != nil else { return }
            for (condition, handler) in textHandlers {
                if let condition, await !condition(context) { continue }
                try await handler(context)
                return
            }
        } catch {
            if let telegramError = error as? TelegramError, telegramError.isFatal {
                fatalError = telegramError
                stopRequested = true
            }
            await report(error, update)
        }
    }

    private func stopOnSignal(_ number: Int32) {
        client.logger.info("signal \(number): stopping after the current update")
        stop()
    }

    private func confirm() async {
        guard let nextOffset, nextOffset != confirmedOffset else { return }
        do {
            _ =
                try await client.callOnce("getUpdates", ["offset": .int(nextOffset), "limit": 1, "timeout": 0])
                as [Update]
            confirmedOffset = nextOffset
            client.logger.info("stopped; updates before \(nextOffset) confirmed")
        } catch {
            client.logger.warning("stopped, but could not confirm the last updates: \(error)")
        }
    }

    private func report(_ error: any Error, _ update: Update?) async {
        if let errorHandler {
            await errorHandler(error, update)
            return
        }
        let text = client.redacted("\(error)")
        switch error {
        case let error as TelegramError where error.isFatal: client.logger.error(text)
        case TelegramError.badRequest, TelegramError.forbidden: client.logger.warning(text)
        default: client.logger.error(text)
        }
    }

    private static func key(_ name: String) -> String {
        (name.hasPrefix("/") ? String(name.dropFirst()) : name).lowercased()
    }
}
