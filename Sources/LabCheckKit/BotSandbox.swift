import Foundation
import LabSupport
import Synchronization
import TelegramKit

/// The offline Bot API a check runs a student's bot against: a `telegram-sandbox` process on a free port, and the
/// Telegram users the checker plays through its `/sandbox/` endpoints. Every message and reply goes to the
/// transcript; a reply that does not come fails with what was sent and what to look at.
///
/// A separate process rather than the sandbox in-process: the checks are synchronous and may run on Swift's
/// cooperative threads (in the tests), which an in-process server would need free to answer.
public final class BotSandbox: Sendable {
    /// `http://127.0.0.1:PORT`: the bot's TELEGRAM_API_URL.
    public let url: String
    /// The token the sandbox accepts (generated for each check).
    public let token: String
    public let botUsername: String
    public let botFirstName: String
    /// The bot's user id, as getMe answers it.
    public let botID: Int64
    let user: SandboxClient
    let transcript: Transcript
    let check: Check
    /// Per chat, the last bot message the check has read.
    private let read = Mutex<[Int64: Int64]>([:])
    /// What the step did, to replay it by hand: the bot's arguments, and the users' actions as labrepl lines.
    private let replaying = Mutex<
        (botArguments: [String], actions: [(user: Int64?, firstName: String?, line: String)])
    >(([], []))

    init(url: String, token: String, check: Check) throws {
        self.url = url
        self.token = token
        self.check = check
        self.transcript = check.transcript
        user = SandboxClient(baseURL: URL(string: url)!)
        let bot = try Self.attempt { [user] in try user.info() }["bot"]
        botUsername = bot?["username"]?.stringValue ?? "?"
        botFirstName = bot?["first_name"]?.stringValue ?? "?"
        botID = bot?["id"]?.intValue ?? 0
    }

    /// The variables that point a bot at this sandbox.
    public var environment: [String: String] {
        ["TELEGRAM_API_URL": url, "TELEGRAM_BOT_TOKEN": token]
    }

    // MARK: The users

    /// User `userID` sends `text` to the bot (with a bot_command entity when it starts with `/`).
    @discardableResult
    public func say(_ text: String, from userID: Int64, firstName: String? = nil) throws -> SandboxClient.Sent {
        transcript.log("user \(userID)\(firstName.map { " (first name \(quoted($0)))" } ?? "") → bot: \(quoted(text))")
        replay(as: userID, firstName: firstName, "tg say \(text)")
        return try Self.attempt { [user] in try user.say(text, from: userID, firstName: firstName) }
    }

    /// The bot's next message to `chat` after those already read, waiting up to `timeout`; fails saying what
    /// `sent` and what to look at (`stuck`) when none comes.
    @discardableResult
    public func reply(
        to chat: Int64,
        after sent: String,
        within timeout: Duration = Check.replyTimeout,
        stuck: String = BotSandbox.stillRunning
    ) throws -> String {
        try message(to: chat, after: sent, within: timeout, stuck: stuck).text
    }

    /// The bot's next message to `chat`, with its entities and parse_mode; fails as `reply` does.
    public func message(
        to chat: Int64,
        after sent: String,
        within timeout: Duration = Check.replyTimeout,
        stuck: String = BotSandbox.stillRunning
    ) throws -> SandboxClient.BotMessage {
        guard let message = try nextMessage(to: chat, within: timeout) else {
            // The bot's latest attempt to answer this chat, if the API refused it, says why nothing came.
            var why = ""
            if let call = try calls("sendMessage").last(where: { $0.parameter("chat_id") == String(chat) }),
                let status = call.status, status != 200
            {
                why =
                    " — its last sendMessage to chat \(chat) got "
                    + (status == 0 ? "a dropped connection" : "HTTP \(status)")
                    + (call.description.map { ": \(quoted($0))" } ?? "")
            }
            throw CheckFailure(
                "\(sent), the bot answered nothing within \(Int(Check.seconds(timeout).rounded(.up))) s\(why) — \(stuck)"
            )
        }
        return message
    }

    /// What to look at when a reply does not come, unless the check knows better.
    public static let stillRunning = "is the bot still running? What it printed is in the transcript"

    /// Fails unless the bot's next message to `chat` is `expected`.
    public func expectReply(
        _ expected: String,
        to chat: Int64,
        after sent: String,
        within timeout: Duration = Check.replyTimeout,
        stuck: String = BotSandbox.stillRunning
    ) throws {
        let got = try reply(to: chat, after: sent, within: timeout, stuck: stuck)
        guard got == expected else {
            throw CheckFailure(
                "\(sent), the bot's reply should have been \(quoted(expected)), but instead it was \(quoted(got))"
            )
        }
    }

    /// Fails if the bot sends `chat` anything within `duration`.
    public func expectNoReply(to chat: Int64, for duration: Duration, because reason: String) throws {
        if let extra = try nextMessage(to: chat, within: duration) {
            throw CheckFailure("the bot also sent \(quoted(extra.text)) to chat \(chat), but \(reason)")
        }
    }

    private func nextMessage(to chat: Int64, within timeout: Duration) throws -> SandboxClient.BotMessage? {
        let after = read.withLock { $0[chat] ?? 0 }
        let found = try Self.attempt { [user] in
            try user.botMessages(chat: chat, after: after, wait: Check.seconds(timeout))
        }
        guard let first = found.first else { return nil }
        read.withLock { $0[chat] = first.messageID }
        transcript.log(
            "bot → user \(chat): \(quoted(first.text))" + (first.parseMode.map { " (parse_mode \($0))" } ?? "")
        )
        return first
    }

    /// User `userID` blocks the bot: its sendMessage to them gets 403 Forbidden.
    public func block(_ userID: Int64) throws {
        transcript.log("user \(userID) blocks the bot")
        replay(
            as: nil,
            "# user \(userID) blocks the bot — in a shell: curl -X POST \(Self.replayURL)/sandbox/users/\(userID)/block"
        )
        try Self.attempt { [user] in try user.block(userID) }
    }

    // MARK: The API's side

    /// The bot's Bot API calls so far (of `method` only, when given), token redacted.
    public func calls(_ method: String? = nil) throws -> [SandboxClient.RecordedCall] {
        try Self.attempt { [user] in try user.calls(method: method) }
    }

    /// The next `count` calls of `method` fail with `errorCode` (0: the connection is dropped).
    public func fault(_ method: String, errorCode: Int, retryAfter: Int? = nil, count: Int = 1) throws {
        let what =
            errorCode == 0
            ? "dropped connections" : "error \(errorCode)" + (retryAfter.map { " (retry_after \($0))" } ?? "")
        transcript.log("sandbox: the next \(count) \(method) call(s) get \(what)")
        for _ in 0..<count {
            replay(
                as: nil,
                "tg fault \(method) \(errorCode == 0 ? "drop" : String(errorCode))"
                    + (retryAfter.map { " retry \($0)" } ?? "")
            )
        }
        try Self.attempt { [user] in
            try user.addFault(method: method, errorCode: errorCode, retryAfter: retryAfter, count: count)
        }
    }

    /// The bot's getUpdates the sandbox is holding, waiting up to `timeout` for one: once there is one, the bot
    /// is idle, having handled every update before its offset. Nil if the bot makes none in time.
    public func heldPoll(within timeout: Duration = Check.replyTimeout) throws -> SandboxClient.HeldPoll? {
        let poll = try Self.attempt { [user] in try user.heldPoll(wait: Check.seconds(timeout)) }
        if let poll {
            transcript.log("sandbox: the bot's getUpdates (offset \(poll.offset), timeout \(poll.timeout)) is held")
        }
        return poll
    }

    /// Waits until the bot is idle, its getUpdates held with `offset` (the last update_id + 1: every update
    /// before it handled and confirmed); fails saying what the bot did instead. Call it once the bot has
    /// answered the last update: its next poll is then the one to look at.
    public func waitUntilIdle(confirming offset: Int64, after what: String) throws {
        guard let poll = try heldPoll() else {
            let last = try calls("getUpdates").last
            throw CheckFailure(
                "\(what), the bot should be waiting in getUpdates, held by the sandbox until an update comes, but "
                    + (last.map {
                        "its last getUpdates had timeout=\($0.parameter("timeout") ?? "none") and is \($0.status == nil ? "still running" : "answered")"
                    } ?? "it made no getUpdates call")
                    + " — long polling needs a timeout of several seconds (the Dispatcher's pollTimeout), and a handler that returns"
            )
        }
        guard poll.offset == offset else {
            throw CheckFailure(
                "\(what), the bot's getUpdates had offset \(poll.offset), but the last update it handled was \(offset - 1): the offset should be \(offset), which confirms every update up to \(offset - 1)"
                    + (poll.offset < offset
                        ? " — with a smaller one, the same updates come again"
                        : " — with a larger one, the updates in between are lost")
            )
        }
    }

    // MARK: Replaying a step by hand

    /// Where the replay's sandbox listens, and the token it is given so that the commands can be copied as they are.
    static let replayURL = "http://127.0.0.1:8081"
    static let replayToken = "4711000042:lab6-replay-token"

    /// The bot under test was started with `arguments`: the replay starts it the same way.
    public func botStarted(_ arguments: [String]) {
        replaying.withLock { $0.botArguments = arguments }
        check.replay(replayCommands)
    }

    private func replay(as userID: Int64?, firstName: String? = nil, _ line: String) {
        replaying.withLock { $0.actions.append((userID, firstName, line)) }
        check.replay(replayCommands)
    }

    /// The sandbox, the bot, and (in labrepl) the users' last actions of the step.
    private var replayCommands: [String] {
        let (arguments, actions) = replaying.withLock { ($0.botArguments, $0.actions) }
        let args = arguments.isEmpty ? "" : " ARGS=\"\(arguments.map(shellQuoted).joined(separator: " "))\""
        var commands = [
            "make sandbox ARGS=\"--port 8081 --bot-username \(botUsername) --token \(Self.replayToken)\"    # in one terminal",
            "TELEGRAM_API_URL=\(Self.replayURL) TELEGRAM_BOT_TOKEN=\(Self.replayToken) make run LAB=6 PROG=telegram-bot"
                + (check.solution ? " SOLUTION=1" : "") + args + "    # in another",
        ]
        guard !actions.isEmpty else { return commands }
        let shown = actions.suffix(8)
        commands.append(
            "make repl    # in a third, then type the users' side"
                + (shown.count < actions.count ? " (its last \(shown.count) lines):" : ":")
        )
        var current: Int64?
        for action in shown {
            let user = action.user ?? current ?? 1001
            if user != current {
                commands.append(
                    "  tg connect \(Self.replayURL) as \(user)" + (action.firstName.map { " named \($0)" } ?? "")
                )
                current = user
            }
            commands.append("  " + action.line)
        }
        return commands
    }

    /// A sandbox call that fails is the checker's trouble, not the student's: say so plainly.
    private static func attempt<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw CheckFailure("the checker could not use its telegram-sandbox: \(error)")
        }
    }
}

extension Check {
    /// Starts a `telegram-sandbox` on a free port (listed in the lab's `tools`) and waits until it serves.
    public func startSandbox() throws -> BotSandbox {
        let process = try startTool("telegram-sandbox", ["--port", "0", "--bot-username", "lab6_check_bot"])
        let listening = try process.waitForLine(
            startingWith: "listening on ",
            timeout: .seconds(10),
            waitingFor: "telegram-sandbox's \"listening on\" line"
        )
        let token = try process.waitForLine(startingWith: "token: ", waitingFor: "telegram-sandbox's \"token:\" line")
        let address = listening.dropFirst("listening on ".count)
        let sandbox = try BotSandbox(
            url: "http://\(address)",
            token: String(token.dropFirst("token: ".count)),
            check: self
        )
        note("telegram-sandbox serves the bot @\(sandbox.botUsername) at \(sandbox.url)")
        return sandbox
    }
}
