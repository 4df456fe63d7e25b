import Foundation
import SocketKit
import Synchronization
import TelegramKit

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

// labrepl as a Telegram user (lab 6): it talks to a bot through a telegram-sandbox's user side, /sandbox/, as the
// checker does. The bot's replies are shown as they arrive, like bytes from a TCP peer.

extension CommandGroup {
    static var telegram: CommandGroup {
        CommandGroup(
            "Telegram (lab 6: be a user of a bot, through telegram-sandbox)",
            placeholders: [
                Placeholder("URL", "the sandbox's address, as telegram-sandbox prints it: http://127.0.0.1:8081"),
                Placeholder("USER", "a user id (default 1001); the private chat with the bot has the same id"),
                Placeholder("FIRSTNAME", "the user's first name, as the bot sees it"),
                Placeholder(
                    "METHOD",
                    "a Bot API method: getUpdates, sendMessage, getMe, … (any: *)",
                    completion: .words(["getUpdates", "sendMessage", "getMe", "setMyCommands", "*"])
                ),
                Placeholder(
                    "CODE",
                    "an error code to answer with (400–599: 429, 500, 401, …), or drop: break the connection",
                    completion: .words(["429", "500", "502", "400", "403", "409", "401", "drop"])
                ),
                Placeholder("RETRY", "seconds a 429 tells the bot to wait (retry_after)"),
            ],
            commands: [
                Command(
                    summary: "be a Telegram user: write to the bot, see its replies as they come",
                    details: """
                        Start telegram-sandbox (make sandbox), start the bot with the TELEGRAM_API_URL and
                        TELEGRAM_BOT_TOKEN it prints, then tg connect to the sandbox's URL. The bot's replies are
                        shown as they arrive: @bot ← text.
                        """,
                    subcommands: [
                        Subcommand(usage: "tg", summary: "say who you are, and to which bot you talk") {
                            session,
                            _ in session.console.show(session.telegramStatus(), as: .output)
                        },
                        Subcommand(
                            usage: "tg connect URL [as USER] [named FIRSTNAME...]",
                            summary: "be a user of the bot that runs against the sandbox at URL",
                            details:
                                "The sandbox's address is the one telegram-sandbox printed (http:// may be left out).\nWithout a user id you are user 1001, in the private chat 1001.",
                            example: "tg connect http://127.0.0.1:8081 as 1001 named Kim"
                        ) { session, arguments in
                            try session.telegramConnect(
                                arguments["URL"]!,
                                user: arguments.integer("USER", in: 1...Int(Int32.max), meaning: "a user id"),
                                firstName: arguments["FIRSTNAME"]
                            )
                        },
                        Subcommand(
                            usage: "tg say TEXT...",
                            summary: "write to the bot, as the user",
                            details:
                                "A text starting with / is a command, sent with its bot_command entity, as Telegram does.",
                            example: "tg say /start"
                        ) { session, arguments in try session.telegramSay(arguments["TEXT"]!) },
                        Subcommand(
                            usage: "tg expect TEXT... [timeout SECONDS]",
                            summary: "wait for a reply from the bot containing TEXT, or fail",
                            details:
                                "Takes the replies up to that one, so a second tg expect looks further on. In a script, a\nfailed tg expect makes labrepl exit with status 1.",
                            example: "tg expect What is your name?"
                        ) { session, arguments in
                            try session.telegramExpect(arguments["TEXT"]!, timeout: arguments.seconds("SECONDS"))
                        },
                        Subcommand(
                            usage: "tg requests [METHOD]",
                            summary: "list the Bot API calls the bot made (of METHOD only), with their answers",
                            details:
                                "getUpdates shows its offset: the bot confirms an update by asking for the ones after it.",
                            example: "tg requests getUpdates"
                        ) { session, arguments in try session.telegramRequests(method: arguments["METHOD"]) },
                        Subcommand(
                            usage: "tg fault METHOD CODE [retry RETRY]",
                            summary: "make the bot's next call of METHOD fail, to watch it cope",
                            details:
                                "429 with retry: the bot must wait that long; 500 and drop: it must try again later;\n401: it must stop, its token is wrong.",
                            example: "tg fault sendMessage 429 retry 2"
                        ) { session, arguments in
                            try session.telegramFault(
                                method: arguments["METHOD"]!,
                                code: arguments["CODE"]!,
                                retryAfter: arguments.integer("RETRY", in: 1...3600, meaning: "seconds to wait")
                            )
                        },
                        Subcommand(
                            usage: "tg disconnect",
                            summary: "stop being the user (the bot goes on)",
                            example: "tg disconnect"
                        ) {
                            session,
                            _ in try session.telegramDisconnect()
                        },
                    ]
                )
            ]
        )
    }
}

/// The Telegram user a session plays: who, in which chat, talking to which bot.
final class TelegramUser {
    let client: SandboxClient
    let userID: Int64
    let firstName: String?
    /// `@sandbox_bot`, as the sandbox's getMe says.
    let bot: String
    let watcher: ReplyWatcher
    /// The bot's replies that no `tg expect` has taken yet.
    var unread: [String] = []

    init(client: SandboxClient, userID: Int64, firstName: String?, bot: String, watcher: ReplyWatcher) {
        self.client = client
        self.userID = userID
        self.firstName = firstName
        self.bot = bot
        self.watcher = watcher
    }
}

extension Session {
    func telegramConnect(_ address: String, user: Int?, firstName: String?) throws {
        let text = address.contains("://") ? address : "http://" + address
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ReplError(
                "tg connect: \(asTyped(address)) is not a URL; give the one telegram-sandbox printed, like http://127.0.0.1:8081"
            )
        }
        let client = SandboxClient(baseURL: mappingPort(of: url), requestTimeout: 5)
        let userID = Int64(user ?? 1001)
        let bot: JSONValue
        let seen: Int64
        do {
            bot = try client.info()["bot"] ?? .null
            seen = try client.botMessages(chat: userID).last?.messageID ?? 0
        } catch {
            throw ReplError(
                "tg connect: no telegram-sandbox answers at \(client.baseURL.absoluteString) — start one with make sandbox (\(error))"
            )
        }
        if telegram != nil { try telegramDisconnect() }
        let name = "@" + (bot["username"]?.stringValue ?? "bot")
        telegram = TelegramUser(
            client: client,
            userID: userID,
            firstName: firstName,
            bot: name,
            watcher: try ReplyWatcher(client: client, chat: userID, after: seen)
        )
        console.show(
            "tg: you are user \(userID)\(firstName.map { " (\($0))" } ?? ""), talking to \(name) at \(client.baseURL.absoluteString) — tg say TEXT writes to it",
            as: .output
        )
        recordTelegramConnected(telegram!)
    }

    /// The sandbox's address with the port `--map-port` says to use instead (a saved check names the default, 8081).
    private func mappingPort(of url: URL) -> URL {
        guard let port = url.port, let mapped = portMap[port],
            var parts = URLComponents(url: url, resolvingAgainstBaseURL: false)
        else { return url }
        parts.port = mapped
        return parts.url ?? url
    }

    func telegramSay(_ text: String) throws {
        let user = try connectedUser()
        let sent: SandboxClient.Sent
        do {
            sent = try user.client.say(text, from: user.userID, firstName: user.firstName)
        } catch {
            throw ReplError("tg say: \(error)")
        }
        recording?.append(.said(text))
        recording?.noteTelegramIDs([sent.messageID] + (sent.updateID.map { [$0] } ?? []))
        console.show(render(text, of: user, as: .sent), as: .sent)
    }

    /// `tg expect TEXT`: waits until a reply not yet taken contains TEXT, and takes the replies up to that one.
    func telegramExpect(_ text: String, timeout: Duration?) throws {
        let user = try connectedUser()
        let timeout = timeout ?? defaultWait
        var found: Int?
        _ = try wait(upTo: timeout) { _ in
            found = telegram?.unread.firstIndex { $0.contains(text) }
            return found != nil || telegram == nil
        }
        guard let found, let user = telegram else {
            let unread =
                user.unread.isEmpty
                ? "no reply unread" : "unread: " + user.unread.map { quoted($0) }.joined(separator: ", ")
            throw ReplError(
                "tg expect \(asTyped(text)): not seen from \(user.bot) within \(Self.seconds(timeout)) s (\(unread)) — is the bot running, against this sandbox?"
            )
        }
        user.unread.removeFirst(found + 1)
    }

    func telegramRequests(method: String?) throws {
        let user = try connectedUser()
        let calls: [SandboxClient.RecordedCall]
        do {
            calls = try user.client.calls(method: method == "*" ? nil : method)
        } catch {
            throw ReplError("tg requests: \(error)")
        }
        guard !calls.isEmpty else {
            console.show(
                "no Bot API calls\(method.map { " of \($0)" } ?? "") yet — is the bot running against this sandbox?",
                as: .output
            )
            return
        }
        let shown = calls.suffix(20).map { call in
            let parameters = call.parameters.keys.sorted().map { name -> String in
                let value = call.parameters[name]!
                let flat = value.replacingOccurrences(of: "\n", with: "\\n")
                return "\(name)=\(flat.count > 40 ? flat.prefix(40) + "…" : flat)"
            }
            let status = call.status.map { $0 == 0 ? "dropped" : String($0) } ?? "waiting"
            return ([call.method] + parameters).joined(separator: " ") + " → " + status
        }
        let skipped = calls.count > shown.count ? ["… \(calls.count - shown.count) earlier calls"] : []
        console.show((skipped + shown).joined(separator: "\n"), as: .output)
    }

    func telegramFault(method: String, code: String, retryAfter: Int?) throws {
        let user = try connectedUser()
        let errorCode: Int
        if code == "drop" {
            errorCode = 0
        } else if let number = Int(code), (400...599).contains(number) {
            errorCode = number
        } else {
            throw ReplError(
                "tg fault: CODE is an error code from 400 to 599 (429, 500, 401, …) or drop, not \(asTyped(code))"
            )
        }
        do {
            try user.client.addFault(method: method == "*" ? nil : method, errorCode: errorCode, retryAfter: retryAfter)
        } catch {
            throw ReplError("tg fault: \(error)")
        }
        recording?.append(.telegramLine("tg fault \(method) \(code)" + (retryAfter.map { " retry \($0)" } ?? "")))
        let what =
            errorCode == 0
            ? "a broken connection" : "error \(errorCode)" + (retryAfter.map { ", retry_after \($0)" } ?? "")
        console.show("tg: the bot's next \(method == "*" ? "call" : method) gets \(what)", as: .output)
    }

    func telegramDisconnect() throws {
        let user = try connectedUser()
        user.watcher.stop()
        telegram = nil
        recording?.append(.telegramLine("tg disconnect"))
        console.show("tg: disconnected from \(user.bot)", as: .output)
    }

    func telegramStatus() -> String {
        guard let user = telegram else {
            return "tg: not connected — tg connect URL (the address telegram-sandbox printed)"
        }
        return "tg: user \(user.userID) talking to \(user.bot) at \(user.client.baseURL.absoluteString)"
            + (user.unread.isEmpty
                ? "" : "; \(user.unread.count) repl\(user.unread.count == 1 ? "y" : "ies") not taken by tg expect")
    }

    /// The replies the watcher has collected, shown and kept for `tg expect`; a watcher that failed is reported.
    func showBotMessages() {
        guard let user = telegram else { return }
        let (messages, failure) = user.watcher.take()
        for message in messages {
            user.unread.append(message.text)
            if user.unread.count > 1000 { user.unread.removeFirst() }
            recording?.append(.botReplied(message.text))
            recording?.noteTelegramIDs([message.messageID])
            console.show(render(message.text, of: user, as: .received), as: .received)
        }
        if let failure {
            user.watcher.stop()
            telegram = nil
            console.show("tg: \(failure) — disconnected; tg connect again once the sandbox runs", as: .event)
        }
    }

    private func connectedUser() throws -> TelegramUser {
        guard let user = telegram else {
            throw ReplError("not connected to a sandbox: tg connect URL first (the address telegram-sandbox printed)")
        }
        return user
    }

    /// `@sandbox_bot ← Hello!`, later lines of a message indented under the first.
    private func render(_ text: String, of user: TelegramUser, as kind: OutputKind) -> String {
        let tag = user.bot + (kind == .sent ? " → " : " ← ")
        let indent = String(repeating: " ", count: tag.count)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset == 0 ? tag : indent) + $0.element }.joined(separator: "\n")
    }
}

/// Waits for the bot's messages on a thread of its own, with long polls of the sandbox's chat, and wakes the event
/// loop through a pipe: the REPL's one thread never blocks on HTTP while the user types.
final class ReplyWatcher: Sendable {
    /// Readable when replies (or a failure) are waiting: the event loop polls it.
    let descriptor: Int32
    private let wakeUp: Int32
    private struct State {
        var messages: [SandboxClient.BotMessage] = []
        var failure: String?
        var stopped = false
    }
    private let state = Mutex(State())

    init(client: SandboxClient, chat: Int64, after: Int64) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ReplError("tg connect: no pipe for the watcher: \(systemMessage(errno))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        descriptor = fds[0]
        wakeUp = fds[1]
        Thread { [self] in watch(client, chat: chat, after: after) }.start()
    }

    /// Takes the replies collected so far, and the failure that ended the watch, if one did.
    func take() -> (messages: [SandboxClient.BotMessage], failure: String?) {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(descriptor, &buffer, buffer.count) > 0 {}
        return state.withLock { state in
            defer { state.messages = [] }
            return (state.messages, state.failure)
        }
    }

    /// Ends the watch: nothing more is collected, and the descriptors are closed (the thread's when its last
    /// long poll returns).
    func stop() {
        let first = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        if first { close(descriptor) }
    }

    private func watch(_ client: SandboxClient, chat: Int64, after: Int64) {
        var after = after
        while true {
            let result: Result<[SandboxClient.BotMessage], SandboxClientError>
            do {
                // A short long poll: a stopped watcher's thread ends within that.
                result = .success(try client.botMessages(chat: chat, after: after, wait: 5))
            } catch {
                result = .failure(error)
            }
            // The wake-up is written while holding the lock, so never after stop() closed the other end.
            let goOn = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                switch result {
                case .success(let messages):
                    guard !messages.isEmpty else { return true }
                    state.messages += messages
                case .failure(let error):
                    state.failure = "the sandbox stopped answering (\(error))"
                }
                var byte: UInt8 = 1
                _ = write(wakeUp, &byte, 1)
                return state.failure == nil
            }
            if case .success(let messages) = result, let last = messages.last { after = last.messageID }
            if !goOn { break }
        }
        close(wakeUp)
    }
}
