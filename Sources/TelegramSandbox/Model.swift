import Foundation

/// How the sandbox's bot is set up.
public struct SandboxConfiguration: Sendable {
    /// Where to listen: an IPv4 or IPv6 address (or "localhost"). Loopback unless you mean it.
    public var host: String
    /// 0 picks a free port; `TelegramSandbox.port` tells which.
    public var port: UInt16
    /// The token the sandbox accepts; generated when nil.
    public var token: String?
    public var botUsername: String
    public var botFirstName: String
    /// The first update's id; random when nil (as on Telegram, it is not 1).
    public var firstUpdateID: Int64?

    public static let defaultPort: UInt16 = 8081

    public init(
        host: String = "127.0.0.1",
        port: UInt16 = 0,
        token: String? = nil,
        botUsername: String = "sandbox_bot",
        botFirstName: String = "Sandbox Bot",
        firstUpdateID: Int64? = nil
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.botUsername = botUsername
        self.botFirstName = botFirstName
        self.firstUpdateID = firstUpdateID
    }
}

/// Why the sandbox could not start.
public enum SandboxError: Error, Sendable, CustomStringConvertible {
    case malformedToken
    case badUsername(String)
    case badHost(String)
    case couldNotListen(String)

    public var description: String {
        switch self {
        case .malformedToken:
            "the token must be digits, a colon and a secret of letters, digits, _ and -, like 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
        case .badUsername(let name):
            "the bot username \"\(name)\" must be 5 to 32 letters, digits or _ and end in \"bot\""
        case .badHost(let host):
            "cannot listen on \"\(host)\": give an IPv4 or IPv6 address, such as 127.0.0.1"
        case .couldNotListen(let reason):
            "could not listen: \(reason)"
        }
    }
}

/// A fault to inject: the next `count` calls of `method` (any method when nil) fail with
/// `errorCode`, or, when `errorCode` is 0, get no answer at all: the connection is closed.
public struct SandboxFault: Sendable, Equatable {
    public var method: String?
    public var errorCode: Int
    public var retryAfter: Int?
    public var description: String?
    public var count: Int

    public init(
        method: String?,
        errorCode: Int,
        retryAfter: Int? = nil,
        description: String? = nil,
        count: Int = 1
    ) {
        self.method = method
        self.errorCode = errorCode
        self.retryAfter = retryAfter
        self.description = description
        self.count = count
    }

    /// A fault that breaks the connection before the answer is complete.
    public static func drop(method: String?, count: Int = 1) -> SandboxFault {
        SandboxFault(method: method, errorCode: 0, count: count)
    }

    func matches(_ method: String) -> Bool {
        guard let own = self.method, own != "*" else { return true }
        return own.lowercased() == method.lowercased()
    }

    var json: JSON {
        var fields: [(String, JSON)] = [
            ("method", method.map(JSON.string) ?? .null),
            ("error_code", .int(Int64(errorCode))),
        ]
        if let retryAfter { fields.append(("retry_after", .int(Int64(retryAfter)))) }
        if let description { fields.append(("description", .string(description))) }
        fields.append(("count", .int(Int64(count))))
        if errorCode == 0 { fields.append(("drop", true)) }
        return .object(fields)
    }
}

/// A Bot API call the sandbox received, with the token replaced by `<token>`.
public struct RecordedRequest: Sendable {
    public var httpMethod: String
    public var path: String
    /// The Bot API method as sent (its case kept).
    public var method: String
    public var parameters: [(name: String, value: String)]
    /// The HTTP status answered; 0 when the connection was dropped, nil while a long poll waits.
    public var status: Int?
    /// The error's description, when the answer was one ("Bad Request: chat not found").
    public var description: String?
    public var date: Date

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    var json: JSON {
        .object([
            ("method", .string(method)), ("http_method", .string(httpMethod)), ("path", .string(path)),
            ("parameters", .object(parameters.map { ($0.name, JSON.string($0.value)) })),
            ("status", status.map { .int(Int64($0)) } ?? .null),
            ("description", description.map(JSON.string) ?? .null),
            ("date", .double(date.timeIntervalSince1970)),
        ])
    }
}

/// A getUpdates the sandbox is holding: the bot is idle, waiting for an update.
public struct HeldPoll: Sendable, Equatable {
    /// The offset it asked for (0 when it gave none).
    public var offset: Int64
    /// Its timeout, in seconds.
    public var timeout: Int
    /// When the sandbox began holding it.
    public var since: Date

    var json: JSON {
        .object([
            ("offset", .int(offset)), ("timeout", .int(Int64(timeout))),
            ("since", .double(since.timeIntervalSince1970)),
        ])
    }
}

/// A message in a sandbox chat.
public struct SandboxMessage: Sendable, Equatable {
    public var messageID: Int64
    public var chatID: Int64
    public var date: Int64
    public var text: String
    public var entities: [SandboxEntity]
    public var fromBot: Bool
    public var parseMode: String?
    public var replyMarkup: JSON?
}

struct SandboxUser: Sendable {
    var id: Int64
    var firstName: String
    var lastName: String?
    var username: String?
    var languageCode: String?

    var json: JSON {
        var fields: [(String, JSON)] = [("id", .int(id)), ("is_bot", false), ("first_name", .string(firstName))]
        if let lastName { fields.append(("last_name", .string(lastName))) }
        if let username { fields.append(("username", .string(username))) }
        if let languageCode { fields.append(("language_code", .string(languageCode))) }
        return .object(fields)
    }

    var chatJSON: JSON {
        var fields: [(String, JSON)] = [("id", .int(id)), ("first_name", .string(firstName))]
        if let lastName { fields.append(("last_name", .string(lastName))) }
        if let username { fields.append(("username", .string(username))) }
        fields.append(("type", "private"))
        return .object(fields)
    }
}

/// The token's shape, checked loosely as the API does.
enum TokenShape {
    static func isValid(_ token: String) -> Bool {
        let parts = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return !parts[0].isEmpty && parts[0].allSatisfy { $0.isASCII && $0.isNumber }
            && !parts[1].isEmpty
            && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    static func generate() -> String {
        let botID = Int64.random(in: 1_000_000_000...8_999_999_999)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        let secret = String((0..<35).map { _ in alphabet.randomElement()! })
        return "\(botID):\(secret)"
    }
}
