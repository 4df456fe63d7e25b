import Foundation

/// What can go wrong talking to the Bot API, sorted by what a bot should do about it.
///
/// No case ever holds the token: descriptions from the network are redacted before they get here.
public enum TelegramError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No token in `TELEGRAM_BOT_TOKEN` nor `--token-file`.
    case missingToken
    /// The token is not digits, a colon and a secret.
    case malformedToken
    /// `--token-file` names a file that cannot be read.
    case unreadableTokenFile(path: String)
    /// `TELEGRAM_API_URL` is not an http(s) URL.
    case badAPIURL(String)
    /// 401 or 404: the API does not know this token. Stop.
    case invalidToken(description: String)
    /// 400: the request was wrong (a chat that does not exist, an empty text...). Log it, go on.
    /// `migrateToChatID` is set when a group became a supergroup.
    case badRequest(description: String, migrateToChatID: Int64?)
    /// 403: the bot may not do this (the user blocked it, say). Go on.
    case forbidden(description: String)
    /// 409: another instance polls with this token, or a webhook is set.
    case conflict(description: String)
    /// 429: too many requests; wait `retryAfter` seconds.
    case tooManyRequests(retryAfter: Int, description: String)
    /// 5xx or another status: the server failed. Retry with backoff.
    case server(status: Int, description: String)
    /// No answer: the connection failed, was dropped or timed out. Retry with backoff.
    case network(description: String)
    /// An answer that is not the Bot API's envelope.
    case unreadableResponse(status: Int, description: String)

    /// Whether retrying the same call later may succeed.
    public var isTransient: Bool {
        switch self {
        case .tooManyRequests, .server, .network: true
        default: false
        }
    }

    /// Whether a bot cannot go on: its token or settings are wrong.
    public var isFatal: Bool {
        switch self {
        case .missingToken, .malformedToken, .unreadableTokenFile, .badAPIURL, .invalidToken: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .missingToken:
            """
            no bot token: set TELEGRAM_BOT_TOKEN or pass --token-file PATH.
            To get a token, open Telegram, talk to @BotFather, send /newbot, choose a name and a \
            username ending in "bot"; BotFather answers with the token. Keep it secret: whoever has \
            it controls the bot. To try the bot offline, run `telegram-sandbox` and set \
            TELEGRAM_API_URL and TELEGRAM_BOT_TOKEN to what it prints.
            """
        case .malformedToken:
            "the bot token is malformed: a token is digits, a colon and a secret, like 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11 (ask @BotFather for yours)"
        case .unreadableTokenFile(let path):
            "cannot read the token file \(path)"
        case .badAPIURL(let text):
            "TELEGRAM_API_URL is not an http(s) URL: \(text)"
        case .invalidToken(let description):
            "the Bot API rejected the token (\(description)): check TELEGRAM_BOT_TOKEN, or ask @BotFather for the token again (/token); if TELEGRAM_API_URL points to a sandbox, use the token it printed"
        case .badRequest(let description, let migrateTo):
            if let migrateTo {
                "bad request: \(description) (the group is now the supergroup \(migrateTo))"
            } else {
                "bad request: \(description)"
            }
        case .forbidden(let description):
            "forbidden: \(description)"
        case .conflict(let description):
            "conflict: \(description). Only one program may poll a bot at a time: stop the other instance (another terminal, another machine?); if a webhook is set, call deleteWebhook first"
        case .tooManyRequests(let retryAfter, let description):
            "too many requests: \(description) (retry after \(retryAfter) s)"
        case .server(let status, let description):
            "server error \(status): \(description)"
        case .network(let description):
            "network error: \(description)"
        case .unreadableResponse(let status, let description):
            "unreadable answer (HTTP \(status)): \(description)"
        }
    }

    /// Maps the API's error envelope to a case, as python-telegram-bot does.
    static func from(
        status: Int,
        errorCode: Int?,
        description: String,
        retryAfter: Int?,
        migrateToChatID: Int64?
    ) -> TelegramError {
        if let retryAfter {
            return .tooManyRequests(retryAfter: retryAfter, description: description)
        }
        switch errorCode ?? status {
        case 401, 404: return .invalidToken(description: description)
        case 400: return .badRequest(description: description, migrateToChatID: migrateToChatID)
        case 403: return .forbidden(description: description)
        case 409: return .conflict(description: description)
        case 429: return .tooManyRequests(retryAfter: 1, description: description)
        default: return .server(status: errorCode ?? status, description: description)
        }
    }
}
