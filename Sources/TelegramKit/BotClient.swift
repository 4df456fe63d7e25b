import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How a call that failed for a passing reason (429, 5xx, no answer) is tried again.
///
/// After a 429 the client waits the `retry_after` the API asked for; after anything else it waits
/// `initialDelay`, then `multiplier` times longer each time, never more than `maxDelay`
/// (python-telegram-bot's 1 s × 1.5 up to 30 s). `sleep` is injectable so that tests do not wait.
public struct RetryPolicy: Sendable {
    public var initialDelay: Duration
    public var multiplier: Double
    public var maxDelay: Duration
    /// Attempts in all, the first included; `Int.max` for no limit.
    public var maxAttempts: Int
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        initialDelay: Duration = .seconds(1),
        multiplier: Double = 1.5,
        maxDelay: Duration = .seconds(30),
        maxAttempts: Int = 8,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
        self.sleep = sleep
    }

    /// No retries at all.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `failures + 1`, after `failures` (≥ 1) transient failures.
    public func backoff(afterFailures failures: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(failures, 1) {
            delay = delay * multiplier
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }
}

/// A Bot API client: one method per API method, errors mapped to `TelegramError`, transient
/// failures retried per `retryPolicy`, and the token kept out of every error and log line.
public final class BotClient: Sendable {
    public let apiURL: URL
    public let retryPolicy: RetryPolicy
    /// The logger, already redacting.
    public let logger: BotLogger
    /// How long a call other than a long poll may take.
    public let requestTimeout: TimeInterval
    /// How much longer than its `timeout` parameter a long poll may take before the client gives up.
    public let longPollMargin: TimeInterval

    private let token: BotToken
    private let redact: Redactor
    private let session: URLSession

    public init(
        token: BotToken,
        apiURL: URL = BotSettings.defaultAPIURL,
        retryPolicy: RetryPolicy = RetryPolicy(),
        logger: BotLogger = .standardError,
        requestTimeout: TimeInterval = 30,
        longPollMargin: TimeInterval = 10
    ) {
        self.token = token
        self.apiURL = apiURL
        self.retryPolicy = retryPolicy
        self.redact = Redactor(token: token)
        self.logger = logger.redacting(with: redact)
        self.requestTimeout = requestTimeout
        self.longPollMargin = longPollMargin
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = requestTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.session = URLSession(configuration: configuration)
    }

    public convenience init(
        settings: BotSettings,
        retryPolicy: RetryPolicy = RetryPolicy(),
        logger: BotLogger = .standardError
    ) {
        self.init(token: settings.token, apiURL: settings.apiURL, retryPolicy: retryPolicy, logger: logger)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// The bot's id, which is also the number before the token's colon.
    public var botID: Int64? { token.botID }

    /// Removes the token from a text (a URL, an error's description) before it is shown.
    public func redacted(_ text: String) -> String { redact(text) }

    // MARK: - Methods

    /// The bot itself: a way to check the token.
    public func getMe() async throws -> User {
        try await call("getMe")
    }

    /// Updates from `offset` on (the last update_id seen + 1; that confirms the earlier ones),
    /// waiting up to `timeout` seconds for one (long polling).
    public func getUpdates(
        offset: Int64? = nil,
        limit: Int? = nil,
        timeout: Int = 0,
        allowedUpdates: [String]? = nil
    ) async throws -> [Update] {
        var parameters: [String: JSONValue] = ["timeout": .int(Int64(timeout))]
        if let offset { parameters["offset"] = .int(offset) }
        if let limit { parameters["limit"] = .int(Int64(limit)) }
        if let allowedUpdates { parameters["allowed_updates"] = .array(allowedUpdates.map(JSONValue.string)) }
        return try await call("getUpdates", parameters, timeout: TimeInterval(max(timeout, 0)) + longPollMargin)
    }

    /// Sends a text message; the answer is the message as sent.
    @discardableResult
    public func sendMessage(
        chatID: Int64,
        text: String,
        parseMode: ParseMode? = nil,
        replyMarkup: ReplyMarkup? = nil
    ) async throws -> Message {
        var parameters: [String: JSONValue] = ["chat_id": .int(chatID), "text": .string(text)]
        if let parseMode { parameters["parse_mode"] = .string(parseMode.rawValue) }
        if let replyMarkup { parameters["reply_markup"] = replyMarkup.json }
        return try await call("sendMessage", parameters)
    }

    /// Sets the commands the clients show in their menu.
    @discardableResult
    public func setMyCommands(_ commands: [BotCommand], languageCode: String? = nil) async throws -> Bool {
        var parameters: [String: JSONValue] = ["commands": try JSONValue(encoding: commands)]
        if let languageCode { parameters["language_code"] = .string(languageCode) }
        return try await call("setMyCommands", parameters)
    }

    /// The commands set by setMyCommands.
    public func getMyCommands(languageCode: String? = nil) async throws -> [BotCommand] {
        var parameters: [String: JSONValue] = [:]
        if let languageCode { parameters["language_code"] = .string(languageCode) }
        return try await call("getMyCommands", parameters)
    }

    /// Removes a webhook, so that getUpdates works.
    @discardableResult
    public func deleteWebhook(dropPendingUpdates: Bool = false) async throws -> Bool {
        try await call("deleteWebhook", dropPendingUpdates ? ["drop_pending_updates": true] : [:])
    }

    // MARK: - Calls

    /// Calls any Bot API method, retrying transient failures per `retryPolicy`.
    public func call<Result: Decodable & Sendable>(
        _ method: String,
        _ parameters: [String: JSONValue] = [:],
        timeout: TimeInterval? = nil
    ) async throws -> Result {
        var failures = 0
        while true {
            do {
                return try await callOnce(method, parameters, timeout: timeout ?? requestTimeout)
            } catch let error as TelegramError where error.isTransient {
                failures += 1
                guard failures < retryPolicy.maxAttempts else {
                    logger.error("\(method) failed \(failures) times, giving up: \(error)")
                    throw error
                }
                let delay: Duration
                if case .tooManyRequests(let retryAfter, _) = error {
                    delay = .seconds(max(retryAfter, 1))
                } else {
                    delay = retryPolicy.backoff(afterFailures: failures)
                }
                logger.warning("\(method) failed: \(error); retrying in \(Self.format(delay))")
                try await retryPolicy.sleep(delay)
            }
        }
    }

    /// Calls a method once: no retry.
    public func callOnce<Result: Decodable & Sendable>(
        _ method: String,
        _ parameters: [String: JSONValue] = [:],
        timeout: TimeInterval? = nil
    ) async throws -> Result {
        var request = URLRequest(url: methodURL(method))
        request.httpMethod = "POST"
        request.timeoutInterval = timeout ?? requestTimeout
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(JSONValue.object(parameters).jsonText.utf8)

        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            try Task.checkCancellation()
            throw TelegramError.network(description: describe(error))
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return try decodeEnvelope(data, status: status)
    }

    func methodURL(_ method: String) -> URL {
        var base = apiURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: "\(base)/bot\(token.secretValue)/\(method)")!
    }

    private struct Envelope<Result: Decodable>: Decodable {
        struct Parameters: Decodable {
            var retry_after: Int?
            var migrate_to_chat_id: Int64?
        }
        var ok: Bool
        var result: Result?
        var error_code: Int?
        var description: String?
        var parameters: Parameters?
    }

    private struct Status: Decodable {
        var ok: Bool
    }

    private func decodeEnvelope<Result: Decodable>(_ data: Data, status: Int) throws -> Result {
        let decoder = JSONDecoder()
        guard let head = try? decoder.decode(Status.self, from: data) else {
            let snippet = redact(String(decoding: data.prefix(200), as: UTF8.self))
            if status >= 500 || status == 0 {
                throw TelegramError.server(status: status, description: snippet.isEmpty ? "no body" : snippet)
            }
            throw TelegramError.unreadableResponse(status: status, description: snippet)
        }
        if head.ok {
            do {
                let envelope = try decoder.decode(Envelope<Result>.self, from: data)
                guard let result = envelope.result else {
                    throw TelegramError.unreadableResponse(status: status, description: "no result")
                }
                return result
            } catch let error as TelegramError {
                throw error
            } catch {
                throw TelegramError.unreadableResponse(status: status, description: redact("\(error)"))
            }
        }
        let envelope = try? decoder.decode(Envelope<JSONValue>.self, from: data)
        throw TelegramError.from(
            status: status,
            errorCode: envelope?.error_code,
            description: redact(envelope?.description ?? "HTTP \(status)"),
            retryAfter: envelope?.parameters?.retry_after,
            migrateToChatID: envelope?.parameters?.migrate_to_chat_id
        )
    }

    /// A network error in words, without the URL (which holds the token) and redacted anyway.
    private func describe(_ error: any Error) -> String {
        guard let urlError = error as? URLError else { return redact(String(describing: type(of: error))) }
        let what: String
        switch urlError.code {
        case .timedOut: what = "the request timed out"
        case .cannotConnectToHost: what = "cannot connect to the server"
        case .cannotFindHost, .dnsLookupFailed: what = "cannot find the server"
        case .networkConnectionLost: what = "the connection was lost"
        case .notConnectedToInternet: what = "no network"
        case .badServerResponse: what = "the server sent no valid answer"
        case .secureConnectionFailed, .serverCertificateUntrusted: what = "the TLS connection failed"
        default: what = "the request failed"
        }
        return redact("\(what) (URLError \(urlError.code.rawValue), \(apiURL.host ?? "?"))")
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.1f s", duration / .seconds(1))
    }
}
