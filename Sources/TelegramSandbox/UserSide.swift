import Foundation

/// The sandbox's own endpoints under `/sandbox/`, for tests, labrepl and students. JSON in and
/// out, in the Bot API's envelope:
///
///     GET    /sandbox                             the bot, pending updates, chats, the getUpdates being held
///                                                 ("held_poll") and the chats whose messages are awaited
///     POST   /sandbox/users/{user_id}/messages    {"text", "first_name"?, "last_name"?, "username"?, "language_code"?}
///                                                 → {"update_id", "message_id"}: the user writes to the bot
///     POST   /sandbox/users/{user_id}/block       {"blocked": true|false}: sendMessage to them gets 403
///     GET    /sandbox/chats/{chat_id}/messages?after=MESSAGE_ID&timeout=S
///                                                 → the bot's messages above MESSAGE_ID, waiting up to S s (≤ 50)
///     GET    /sandbox/held-poll?timeout=S         the getUpdates being held — {"offset", "timeout", "since"} —
///                                                 waiting up to S s (≤ 50) for the bot to make one; null if none
///     GET    /sandbox/requests[?method=NAME]      every Bot API call received, token redacted
///     DELETE /sandbox/requests                    forgets them
///     POST   /sandbox/faults                      {"method"?, "error_code", "retry_after"?, "description"?, "count"?, "drop"?}
///                                                 the next `count` (1) calls of `method` (any, when absent
///                                                 or "*") fail with error_code; with "drop": true or
///                                                 error_code 0 the connection breaks mid-answer (headers, no body)
///     GET    /sandbox/faults                      the faults still to come
///     DELETE /sandbox/faults                      cancels them
extension SandboxCore {
    func userSide(_ request: SandboxRequest) async -> SandboxResponse {
        let parts = request.path.split(separator: "/").map(String.init)  // ["sandbox", ...]
        let route = Array(parts.dropFirst())
        switch (request.method, route.count) {
        case ("GET", 0):
            return .ok(info())
        case (_, 3) where route[0] == "users" && route[2] == "messages":
            guard request.method == "POST" else { return Self.notAllowed("POST") }
            return postUserMessage(userID: route[1], body: request.body)
        case (_, 3) where route[0] == "users" && route[2] == "block":
            guard request.method == "POST" else { return Self.notAllowed("POST") }
            return postBlock(userID: route[1], body: request.body)
        case (_, 3) where route[0] == "chats" && route[2] == "messages":
            guard request.method == "GET" else { return Self.notAllowed("GET") }
            return await getChatMessages(chatID: route[1], request)
        case (_, 1) where route[0] == "held-poll":
            guard request.method == "GET" else { return Self.notAllowed("GET") }
            guard let timeout = Self.seconds(request.queryValue("timeout")) else { return Self.badTimeout }
            return .ok(await waitForHeldPoll(timeout: timeout)?.json ?? .null)
        case (_, 1) where route[0] == "requests":
            switch request.method {
            case "GET":
                let method = request.queryValue("method")?.lowercased()
                let list = recordedRequests().filter { method == nil || $0.method.lowercased() == method }
                return .ok(.array(list.map(\.json)))
            case "DELETE":
                clearRequests()
                return .ok(true)
            default: return Self.notAllowed("GET, DELETE")
            }
        case (_, 1) where route[0] == "faults":
            switch request.method {
            case "POST": return postFault(body: request.body)
            case "GET": return .ok(.array(currentFaults().map(\.json)))
            case "DELETE":
                clearFaults()
                return .ok(true)
            default: return Self.notAllowed("GET, POST, DELETE")
            }
        default:
            return .error(
                404,
                "Not Found: no such sandbox endpoint; see GET /sandbox, /sandbox/users/{id}/messages, /sandbox/chats/{id}/messages, /sandbox/held-poll, /sandbox/requests, /sandbox/faults"
            )
        }
    }

    /// A `timeout` query value: seconds, fractions allowed, at most `maxPollTimeout`; nil when it is not a number.
    private static func seconds(_ text: String?) -> Double? {
        guard let value = Double(text.flatMap { $0.isEmpty ? nil : $0 } ?? "0"), value >= 0, value.isFinite else {
            return nil
        }
        return min(value, Double(maxPollTimeout))
    }

    private static var badTimeout: SandboxResponse {
        bad("\"timeout\" must be a number of seconds, 0 to \(maxPollTimeout)")
    }

    private static func notAllowed(_ allowed: String) -> SandboxResponse {
        var response = SandboxResponse.error(405, "Method Not Allowed: use \(allowed)")
        response.headers["Allow"] = allowed
        return response
    }

    private static func bad(_ description: String) -> SandboxResponse {
        .error(400, "Bad Request: \(description)")
    }

    /// The JSON object a sandbox POST carries, or the error to answer.
    private static func object(_ body: Data) -> Result<JSON, SandboxFailure> {
        if body.isEmpty || String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        {
            return .success(.object([]))
        }
        guard let json = JSON(parsing: body) else { return .failure(SandboxFailure("the body is not JSON")) }
        guard case .object = json else { return .failure(SandboxFailure("the body must be a JSON object")) }
        return .success(json)
    }

    private static func optionalString(_ json: JSON, _ key: String) -> Result<String?, SandboxFailure> {
        switch json[key] {
        case nil, .null?: .success(nil)
        case .string(let value)?: .success(value)
        default: .failure(SandboxFailure("\"\(key)\" must be a string"))
        }
    }

    private static func optionalInt(_ json: JSON, _ key: String) -> Result<Int64?, SandboxFailure> {
        switch json[key] {
        case nil, .null?: return .success(nil)
        case let value?:
            if let int = value.intValue { return .success(int) }
            if let text = value.stringValue, let int = Int64(text) { return .success(int) }
            return .failure(SandboxFailure("\"\(key)\" must be an integer"))
        }
    }

    private func postUserMessage(userID text: String, body: Data) -> SandboxResponse {
        guard let userID = Int64(text), userID > 0 else {
            return Self.bad("the user id in the path must be a positive integer, like /sandbox/users/1001/messages")
        }
        do throws(SandboxFailure) {
            let json = try Self.object(body).get()
            guard let messageText = try Self.optionalString(json, "text").get(), !messageText.isEmpty else {
                return Self.bad("\"text\" is required: a non-empty string, like {\"text\": \"/start\"}")
            }
            guard messageText.unicodeScalars.count <= 4096 else {
                return Self.bad("\"text\" is longer than 4096 characters")
            }
            let firstName = try Self.optionalString(json, "first_name").get()
            if let firstName, firstName.isEmpty { return Self.bad("\"first_name\" must not be empty") }
            let (updateID, messageID) = userMessage(
                userID: userID,
                text: messageText,
                firstName: firstName,
                lastName: try Self.optionalString(json, "last_name").get(),
                username: try Self.optionalString(json, "username").get(),
                languageCode: try Self.optionalString(json, "language_code").get()
            )
            return .ok(.object([("update_id", updateID.map { .int($0) } ?? .null), ("message_id", .int(messageID))]))
        } catch {
            return Self.bad(error.description)
        }
    }

    private func postBlock(userID text: String, body: Data) -> SandboxResponse {
        guard let userID = Int64(text), userID > 0 else {
            return Self.bad("the user id in the path must be a positive integer")
        }
        do throws(SandboxFailure) {
            let json = try Self.object(body).get()
            let value = json["blocked"]
            guard value == nil || value?.boolValue != nil else { return Self.bad("\"blocked\" must be true or false") }
            setBlocked(userID, value?.boolValue ?? true)
            return .ok(true)
        } catch {
            return Self.bad(error.description)
        }
    }

    private func getChatMessages(chatID text: String, _ request: SandboxRequest) async -> SandboxResponse {
        guard let chatID = Int64(text) else { return Self.bad("the chat id in the path must be an integer") }
        let afterText = request.queryValue("after") ?? "0"
        guard let after = Int64(afterText.isEmpty ? "0" : afterText) else {
            return Self.bad("\"after\" must be a message id (an integer)")
        }
        guard let timeout = Self.seconds(request.queryValue("timeout")) else { return Self.badTimeout }
        let found = await botMessages(chatID: chatID, after: after, timeout: timeout)
        return .ok(.array(found.map(Self.json(for:))))
    }

    static func json(for message: SandboxMessage) -> JSON {
        var fields: [(String, JSON)] = [
            ("message_id", .int(message.messageID)), ("chat_id", .int(message.chatID)),
            ("date", .int(message.date)), ("text", .string(message.text)),
        ]
        if !message.entities.isEmpty { fields.append(("entities", .array(message.entities.map(\.json)))) }
        if let parseMode = message.parseMode { fields.append(("parse_mode", .string(parseMode))) }
        if let markup = message.replyMarkup { fields.append(("reply_markup", markup)) }
        return .object(fields)
    }

    private func postFault(body: Data) -> SandboxResponse {
        do throws(SandboxFailure) {
            let json = try Self.object(body).get()
            let method = try Self.optionalString(json, "method").get()
            let drop = json["drop"]
            guard drop == nil || drop?.boolValue != nil else { return Self.bad("\"drop\" must be true or false") }
            let code = try Self.optionalInt(json, "error_code").get()
            let errorCode: Int
            if drop?.boolValue == true {
                errorCode = 0
            } else {
                guard let code else {
                    return Self.bad(
                        "\"error_code\" is required (400 to 599, or 0 to drop the connection), or \"drop\": true"
                    )
                }
                guard code == 0 || (400...599).contains(code) else {
                    return Self.bad("\"error_code\" must be 400 to 599, or 0 to drop the connection")
                }
                errorCode = Int(code)
            }
            let retryAfter = try Self.optionalInt(json, "retry_after").get()
            if let retryAfter, !(1...3600).contains(retryAfter) {
                return Self.bad("\"retry_after\" must be 1 to 3600 seconds")
            }
            let count = try Self.optionalInt(json, "count").get() ?? 1
            guard (1...1000).contains(count) else { return Self.bad("\"count\" must be 1 to 1000") }
            let fault = SandboxFault(
                method: method,
                errorCode: errorCode,
                retryAfter: retryAfter.map(Int.init),
                description: try Self.optionalString(json, "description").get(),
                count: Int(count)
            )
            addFault(fault)
            return .ok(fault.json)
        } catch {
            return Self.bad(error.description)
        }
    }
}

struct SandboxFailure: Error {
    var description: String
    init(_ description: String) { self.description = description }
}
