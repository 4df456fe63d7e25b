import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The other end of a bot under test: a Telegram user, played through a `telegram-sandbox`'s `/sandbox/` endpoints
/// (the checker, labrepl and `make demo` use it; a student can do the same with curl).
///
///     let user = SandboxClient(baseURL: URL(string: "http://127.0.0.1:8081")!)
///     let sent = try user.say("/start", from: 1001)
///     let replies = try user.botMessages(chat: 1001, after: 0, wait: 3)
///
/// Every call blocks until the sandbox answers. It waits on URLSession's own threads, never on Swift's cooperative
/// pool, so it is safe in synchronous code that itself runs on that pool (a synchronous test, say).
public final class SandboxClient: Sendable {
    public let baseURL: URL
    /// How long a call may take on top of any wait it asks the sandbox for.
    public let requestTimeout: TimeInterval
    private let session: URLSession

    public init(baseURL: URL, requestTimeout: TimeInterval = 10) {
        self.baseURL = baseURL
        self.requestTimeout = requestTimeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// What the sandbox answered to a user's message.
    public struct Sent: Sendable, Hashable {
        /// The update the bot will get (nil when its allowed_updates leave messages out).
        public var updateID: Int64?
        public var messageID: Int64
    }

    /// A message the bot sent to a chat: its text as users see it, and the entities its markup became.
    public struct BotMessage: Sendable, Hashable {
        public var messageID: Int64
        public var chatID: Int64
        public var text: String
        public var entities: [MessageEntity] = []
        /// The parse_mode it was sent with, if any.
        public var parseMode: String?
    }

    /// A getUpdates the sandbox is holding: the bot is idle, waiting for updates.
    public struct HeldPoll: Sendable, Hashable {
        public var offset: Int64
        public var timeout: Int

        public init(offset: Int64, timeout: Int) {
            self.offset = offset
            self.timeout = timeout
        }
    }

    /// A Bot API call the sandbox received, token redacted.
    public struct RecordedCall: Sendable {
        public var method: String
        public var parameters: [String: String]
        /// The HTTP status answered; 0 for a dropped connection; nil while a long poll is held.
        public var status: Int?
        /// The error's description, when the answer was one.
        public var description: String?
        public var date: Date

        public func parameter(_ name: String) -> String? { parameters[name] }
    }

    // MARK: - The user side

    /// User `userID` writes `text` to the bot in their private chat (whose id is the user's id). A text starting
    /// with `/` carries a bot_command entity, as Telegram clients send it.
    @discardableResult
    public func say(
        _ text: String,
        from userID: Int64,
        firstName: String? = nil,
        username: String? = nil
    )
        throws(SandboxClientError) -> Sent
    {
        var body: [String: JSONValue] = ["text": .string(text)]
        if let firstName { body["first_name"] = .string(firstName) }
        if let username { body["username"] = .string(username) }
        let result = try call("POST", "/sandbox/users/\(userID)/messages", body: .object(body))
        guard let messageID = result["message_id"]?.intValue else {
            throw SandboxClientError("the sandbox's answer has no message_id: \(result.jsonText)")
        }
        return Sent(updateID: result["update_id"]?.intValue, messageID: messageID)
    }

    /// The bot's messages to `chat` with a message_id above `after`, waiting up to `wait` seconds for the first.
    public func botMessages(
        chat: Int64,
        after: Int64 = 0,
        wait: Double = 0
    ) throws(SandboxClientError)
        -> [BotMessage]
    {
        let seconds = max(0, min(wait, 50))
        let result = try call(
            "GET",
            "/sandbox/chats/\(chat)/messages?after=\(after)&timeout=\(seconds)",
            waiting: seconds
        )
        return (result.arrayValue ?? []).compactMap { item in
            guard let id = item["message_id"]?.intValue else { return nil }
            let entities = (item["entities"]?.arrayValue ?? []).compactMap { entity -> MessageEntity? in
                guard let type = entity["type"]?.stringValue, let offset = entity["offset"]?.intValue,
                    let length = entity["length"]?.intValue
                else { return nil }
                return MessageEntity(type: type, offset: Int(offset), length: Int(length))
            }
            return BotMessage(
                messageID: id,
                chatID: item["chat_id"]?.intValue ?? chat,
                text: item["text"]?.stringValue ?? "",
                entities: entities,
                parseMode: item["parse_mode"]?.stringValue
            )
        }
    }

    /// The user blocks the bot (or unblocks it): the bot's sendMessage to them gets 403 Forbidden.
    public func block(_ userID: Int64, _ blocked: Bool = true) throws(SandboxClientError) {
        _ = try call("POST", "/sandbox/users/\(userID)/block", body: ["blocked": .bool(blocked)])
    }

    // MARK: - Watching and breaking the API

    /// Every Bot API call received so far (only those of `method`, when given), oldest first.
    public func calls(method: String? = nil) throws(SandboxClientError) -> [RecordedCall] {
        let query = method.map { "?method=\($0)" } ?? ""
        let result = try call("GET", "/sandbox/requests" + query)
        return (result.arrayValue ?? []).map { item in
            var parameters: [String: String] = [:]
            if case .object(let fields)? = item["parameters"] {
                for (name, value) in fields { parameters[name] = value.stringValue ?? value.jsonText }
            }
            return RecordedCall(
                method: item["method"]?.stringValue ?? "",
                parameters: parameters,
                status: item["status"]?.intValue.map { Int($0) },
                description: item["description"]?.stringValue,
                date: Date(timeIntervalSince1970: item["date"]?.doubleValue ?? 0)
            )
        }
    }

    /// The getUpdates the sandbox is holding, waiting up to `wait` seconds for the bot to make one (nil if it
    /// makes none). Once it answers, the bot is idle: it has handled every update before the poll's offset.
    public func heldPoll(wait: Double = 0) throws(SandboxClientError) -> HeldPoll? {
        let seconds = max(0, min(wait, 50))
        let result = try call("GET", "/sandbox/held-poll?timeout=\(seconds)", waiting: seconds)
        guard let offset = result["offset"]?.intValue, let timeout = result["timeout"]?.intValue else { return nil }
        return HeldPoll(offset: offset, timeout: Int(timeout))
    }

    /// The next `count` calls of `method` (any method when nil) fail with `errorCode` (a 429 with `retryAfter`),
    /// or, with `errorCode` 0, get no answer at all: the connection is closed.
    public func addFault(
        method: String?,
        errorCode: Int,
        retryAfter: Int? = nil,
        count: Int = 1
    )
        throws(SandboxClientError)
    {
        var body: [String: JSONValue] = ["error_code": .int(Int64(errorCode)), "count": .int(Int64(count))]
        if let method { body["method"] = .string(method) }
        if let retryAfter { body["retry_after"] = .int(Int64(retryAfter)) }
        _ = try call("POST", "/sandbox/faults", body: .object(body))
    }

    /// The bot as the sandbox presents it (getMe's answer), and the chats so far.
    public func info() throws(SandboxClientError) -> JSONValue {
        try call("GET", "/sandbox")
    }

    // MARK: - HTTP

    /// One request; the `result` of the sandbox's `{"ok": true, "result": …}`, or its description as an error.
    private func call(
        _ method: String,
        _ pathAndQuery: String,
        body: JSONValue? = nil,
        waiting: Double = 0
    )
        throws(SandboxClientError) -> JSONValue
    {
        let base = String(baseURL.absoluteString.reversed().drop { $0 == "/" }.reversed())
        guard let url = URL(string: base + pathAndQuery) else {
            throw SandboxClientError("not a URL: \(base + pathAndQuery)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = requestTimeout + waiting
        if let body {
            request.httpBody = Data(body.jsonText.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }

        let outcome = Mutex<Result<(Data, Int), SandboxClientError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let what = "\(method) \(base)\(pathAndQuery)"
        session.dataTask(with: request) { data, response, error in
            let result: Result<(Data, Int), SandboxClientError>
            if let error {
                result = .failure(
                    SandboxClientError(
                        "\(what): \(error.localizedDescription) — is telegram-sandbox running at \(base)?"
                    )
                )
            } else {
                result = .success((data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
            }
            outcome.withLock { $0 = result }
            done.signal()
        }.resume()
        done.wait()

        let (data, status) = try outcome.withLock { $0! }.get()
        guard let envelope = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            let text = String(decoding: data.prefix(200), as: UTF8.self)
            throw SandboxClientError("\(what): HTTP \(status), not JSON: \(text) — is this a telegram-sandbox?")
        }
        guard envelope["ok"]?.boolValue == true else {
            throw SandboxClientError(
                "\(what): \(envelope["description"]?.stringValue ?? "HTTP \(status)")"
            )
        }
        return envelope["result"] ?? .null
    }
}

/// A sandbox call that failed: the sandbox's own description, or why it could not be reached.
public struct SandboxClientError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
