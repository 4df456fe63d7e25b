import Foundation

/// A bot's token, as BotFather gives it: `123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11`.
///
/// Whoever holds the token controls the bot, so this type never shows it: printing one,
/// interpolating it or dumping it gives `<token>`. Only the client reads `secretValue`, to build
/// request URLs, and it redacts every text that might contain them.
public struct BotToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token itself. Read it only to talk to the API.
    public let secretValue: String

    /// Validates loosely, like the API: digits (the bot's id, which can be long), a colon, and
    /// a secret of letters, digits, `_` and `-`.
    public init(_ text: String) throws(TelegramError) {
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard Self.looksValid(token) else { throw TelegramError.malformedToken }
        secretValue = token
    }

    /// The bot's id: the digits before the colon.
    public var botID: Int64? {
        Int64(secretValue.prefix { $0 != ":" })
    }

    public var description: String { "<token>" }
    public var debugDescription: String { "<token>" }

    static func looksValid(_ token: String) -> Bool {
        let parts = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let id = parts.first, let secret = parts.last else { return false }
        return !id.isEmpty && id.allSatisfy { $0.isASCII && $0.isNumber }
            && !secret.isEmpty
            && secret.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

/// Where a bot program finds its token and the API: the environment and its command line.
public struct BotSettings: Sendable {
    public static let defaultAPIURL = URL(string: "https://api.telegram.org")!

    public var token: BotToken
    public var apiURL: URL

    public init(token: BotToken, apiURL: URL = BotSettings.defaultAPIURL) {
        self.token = token
        self.apiURL = apiURL
    }

    /// Reads the token from `--token-file PATH` (or `--token-file=PATH`) when the arguments have
    /// it, else from `TELEGRAM_BOT_TOKEN`; the API from `TELEGRAM_API_URL` (default
    /// https://api.telegram.org). Throws `TelegramError.missingToken`, whose description says how
    /// to get a token from BotFather, when neither is there.
    public static func load(
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TelegramError) -> BotSettings {
        try load(tokenFile: tokenFilePath(in: arguments), environment: environment)
    }

    /// The same, for a program that parses its own `--token-file` option: the token from the file
    /// at `tokenFile` when there is one, else from `TELEGRAM_BOT_TOKEN`.
    public static func load(
        tokenFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TelegramError) -> BotSettings {
        let token: BotToken
        if let path = tokenFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TelegramError.unreadableTokenFile(path: path)
            }
            token = try BotToken(String(decoding: data, as: UTF8.self))
        } else if let text = environment["TELEGRAM_BOT_TOKEN"], !text.isEmpty {
            token = try BotToken(text)
        } else {
            throw TelegramError.missingToken
        }
        var apiURL = defaultAPIURL
        if let text = environment["TELEGRAM_API_URL"], !text.isEmpty {
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme),
                url.host != nil
            else {
                throw TelegramError.badAPIURL(text)
            }
            apiURL = url
        }
        return BotSettings(token: token, apiURL: apiURL)
    }

    static func tokenFilePath(in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--token-file", index + 1 < arguments.count {
                return arguments[index + 1]
            }
            if argument.hasPrefix("--token-file=") {
                return String(argument.dropFirst("--token-file=".count))
            }
        }
        return nil
    }
}

/// Replaces a token wherever it appears in a text, plainly or percent-encoded, with `<token>`.
public struct Redactor: Sendable {
    private let secrets: [String]

    public init(token: BotToken) {
        let raw = token.secretValue
        var secrets = [
            raw, raw.replacingOccurrences(of: ":", with: "%3A"),
            raw.replacingOccurrences(of: ":", with: "%3a"),
        ]
        // The secret part alone, too: a log line may have cut the token at its colon.
        if let secret = raw.split(separator: ":", maxSplits: 1).last, secret.count >= 8 {
            secrets.append(String(secret))
        }
        self.secrets = secrets
    }

    public func callAsFunction(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "<token>")
        }
        return text
    }
}
