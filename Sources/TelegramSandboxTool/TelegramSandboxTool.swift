import ArgumentParser
import Foundation
import LabSupport
import TelegramKit
import TelegramSandbox

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

@main
struct TelegramSandboxTool: AsyncLabCommand {
    static let configuration = CommandConfiguration(
        commandName: "telegram-sandbox",
        abstract: "An offline Telegram Bot API for one bot: try a bot without the internet or a real token.",
        discussion: """
            Point the bot at it with TELEGRAM_API_URL and TELEGRAM_BOT_TOKEN set to what it prints. \
            Play the users with POST /sandbox/users/ID/messages and read the bot's replies with \
            GET /sandbox/chats/ID/messages; GET /sandbox/held-poll?timeout=S waits until the bot is idle in a \
            held getUpdates; GET /sandbox/requests lists the bot's calls and \
            POST /sandbox/faults {"method": "getUpdates", "error_code": 429, "retry_after": 2, "count": 1} \
            makes the next calls fail ({"drop": true} or "error_code": 0 breaks the connection before the \
            answer is complete). Stop it with Ctrl-C.
            """
    )

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port: UInt16 = SandboxConfiguration.defaultPort

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The bot token to accept (generated unless given).")
    var token: String?

    @Option(name: .customLong("bot-username"), help: "The bot's username (ends in \"bot\").")
    var botUsername = "sandbox_bot"

    func run() async throws {
        let sandbox: TelegramSandbox
        do {
            sandbox = try TelegramSandbox(
                SandboxConfiguration(
                    host: host,
                    port: port,
                    token: token,
                    botUsername: botUsername
                )
            )
        } catch {
            throw ValidationError(error.description)
        }
        let url = try await start(sandbox)
        print("listening on \(host):\(await sandbox.port ?? port)")
        print("token: \(sandbox.token)")
        print("try: curl \(url.absoluteString)/bot\(sandbox.token)/getMe")
        print("bot: TELEGRAM_API_URL=\(url.absoluteString) TELEGRAM_BOT_TOKEN=\(sandbox.token)")

        let (signals, received) = AsyncStream.makeStream(of: Int32.self)
        // Kept until the process ends: a second signal while stopping (ProcessKit sends SIGTERM to the process and
        // to its group) must not kill it halfway.
        let stop = SignalStop { received.yield($0) }
        let signal = await signals.first { _ in true } ?? SIGTERM
        await sandbox.stop()
        print("stopped (\(signal == SIGINT ? "SIGINT" : "SIGTERM"))")
        withExtendedLifetime(stop) {}
    }

    private func start(_ sandbox: TelegramSandbox) async throws -> URL {
        do {
            return try await sandbox.start()
        } catch let error as SandboxError {
            FileHandle.standardError.write(Data("telegram-sandbox: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}
