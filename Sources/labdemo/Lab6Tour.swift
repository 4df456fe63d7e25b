import Foundation
import ProcessKit
import TelegramKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func lab6Tour(_ tour: Tour) throws {
    tour.section(
        "Lab 6 · Telegram bot",
        """
        The bot against telegram-sandbox, an offline Bot API: the same program would run against Telegram with \
        only TELEGRAM_BOT_TOKEN set. curl plays a Telegram user through the sandbox's /sandbox/ endpoints.
        """
    )
    let sandbox = try tour.startBackground(
        "telegram-sandbox",
        ["--port", "0"],
        shownAs: "telegram-sandbox --port 0",
        waitingFor: "bot: "
    )
    let printed = sandbox.standardOutput.split(separator: "\n")
    guard let address = printed.lazy.compactMap({ ListeningLine.address(in: String($0)) }).first,
        let tokenLine = printed.first(where: { $0.hasPrefix("token: ") })
    else { throw TourError("telegram-sandbox did not say where it listens") }
    tour.show(printed.prefix(2).joined(separator: "\n"))
    let url = "http://" + address
    let token = String(tokenLine.dropFirst("token: ".count))

    let bot = try tour.startBackground(
        "lab6-telegram-bot-solution",
        ["--conversation-timeout", "60"],
        environment: ["TELEGRAM_API_URL": url, "TELEGRAM_BOT_TOKEN": token],
        shownAs: "TELEGRAM_API_URL=\(url) TELEGRAM_BOT_TOKEN=$TOKEN lab6-telegram-bot",
        waitingFor: "polling"
    )
    tour.show(bot.standardOutput)

    tour.note("a user (id 1001) writes /start: one POST, and the bot's answer with a GET that waits for it")
    try tour.runPeer(
        "curl",
        [
            "-s", "-X", "POST", "\(url)/sandbox/users/1001/messages",
            "-d", #"{"text": "/start", "first_name": "Kim"}"#,
        ],
        shownAs: #"curl -s -X POST \#(url)/sandbox/users/1001/messages -d '{"text": "/start", "first_name": "Kim"}'"#
    )
    try tour.runPeer(
        "curl",
        ["-s", "\(url)/sandbox/chats/1001/messages?after=0&timeout=5"],
        shownAs: "curl -s '\(url)/sandbox/chats/1001/messages?after=0&timeout=5'"
    )
    tour.note("sent with parse_mode HTML: the <b> around the name became a bold entity, and the tags are gone")

    tour.note("the greeting, as a chat (the same two calls for each line)")
    let user = SandboxClient(baseURL: URL(string: url)!)
    var last = try user.botMessages(chat: 1001).last?.messageID ?? 0  // the answer curl showed
    for text in ["/greet", "Kim, Younghee", "twenty-two", "22", "Hello, bot!"] {
        try converse(tour, user, text, last: &last)
    }

    tour.note("a fault: the next sendMessage gets 429 Too Many Requests, retry_after 2 — the bot waits, then sends")
    try user.addFault(method: "sendMessage", errorCode: 429, retryAfter: 2)
    let started = ContinuousClock.now
    try converse(tour, user, "are you there?", last: &last)
    let waited = ContinuousClock.now - started
    tour.note(String(format: "answered after %.1f s", waited / .seconds(1)))

    tour.note("Ctrl-C: the bot confirms the updates it handled (getUpdates with the next offset) and stops")
    bot.signal(SIGINT)
    guard bot.waitForExit(timeout: .seconds(10)) == .exited(0) else {
        throw TourError("the bot did not stop on SIGINT")
    }
    let polls = try user.calls(method: "getUpdates")
    tour.show(
        "last getUpdates: offset=\(polls.last?.parameter("offset") ?? "?") timeout=\(polls.last?.parameter("timeout") ?? "?")"
            + " (\(polls.count) long polls in all)"
    )
}

/// One line from the user and the bot's answer, as a chat.
private func converse(_ tour: Tour, _ user: SandboxClient, _ text: String, last: inout Int64) throws {
    tour.show("Kim → bot: \(text)")
    try user.say(text, from: 1001, firstName: "Kim")
    guard let reply = try user.botMessages(chat: 1001, after: last, wait: 10).first else {
        throw TourError("the bot did not answer \(text)")
    }
    last = reply.messageID
    for (index, line) in reply.text.split(separator: "\n").enumerated() {
        tour.show((index == 0 ? "bot → Kim: " : "           ") + line)
    }
}
