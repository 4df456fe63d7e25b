import Foundation
import TelegramKit
import TelegramSandbox
import TestSupport
import Testing

/// Collects what the kit logs and how long it asked to sleep, instead of sleeping.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    private var _sleeps: [Duration] = []

    var lines: [String] { lock.withLock { _lines } }
    var sleeps: [Duration] { lock.withLock { _sleeps } }

    var logger: BotLogger {
        BotLogger { [self] level, message in lock.withLock { _lines.append("\(level.rawValue): \(message)") } }
    }

    /// A retry policy that records its waits and waits only a millisecond.
    func retryPolicy(maxAttempts: Int = 8) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts) { [self] duration in
            lock.withLock { _sleeps.append(duration) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// A sandbox on a free port and a client for its bot, for one test.
struct Lab {
    let sandbox: TelegramSandbox
    let url: URL
    let token: BotToken
    let recorder = Recorder()
    let client: BotClient

    init(username: String = "lab_bot", requestTimeout: TimeInterval = 30) async throws {
        sandbox = try TelegramSandbox(SandboxConfiguration(botUsername: username))
        url = try await sandbox.start()
        token = try BotToken(sandbox.token)
        client = BotClient(
            token: token,
            apiURL: url,
            retryPolicy: recorder.retryPolicy(),
            logger: recorder.logger,
            requestTimeout: requestTimeout
        )
    }

    /// Another client of the same API, with another token.
    func client(token text: String, retry: RetryPolicy? = nil) throws -> BotClient {
        BotClient(
            token: try BotToken(text),
            apiURL: url,
            retryPolicy: retry ?? recorder.retryPolicy(),
            logger: recorder.logger
        )
    }

    /// Everything the client may have shown: log lines, joined.
    var everythingLogged: String { recorder.lines.joined(separator: "\n") }

    func stop() async { await sandbox.stop() }
}

/// Runs `body` with a lab, and stops the lab whatever happens.
func withLab(
    username: String = "lab_bot",
    requestTimeout: TimeInterval = 30,
    _ body: @Sendable (Lab) async throws -> Void
) async throws {
    let lab = try await Lab(username: username, requestTimeout: requestTimeout)
    do {
        try await body(lab)
    } catch {
        await lab.stop()
        throw error
    }
    await lab.stop()
}
