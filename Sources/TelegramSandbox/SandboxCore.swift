import Foundation

/// The sandbox's state and its answers to every request, independent of the HTTP server.
actor SandboxCore {
    let token: String
    let botID: Int64
    let botUsername: String
    let botFirstName: String

    static let maxPollTimeout = 50
    static let maxRecordedRequests = 10_000

    // Updates waiting for the bot, oldest first.
    private var pending: [(id: Int64, json: JSON)] = []
    private var nextUpdateID: Int64
    private var allowedUpdates: [String]?
    private var webhookURL: String?
    private var commands: [String: JSON] = [:]

    // The long poll being held, if any.
    private enum Wake: Sendable { case update, timeout, conflict, webhook }
    private var held:
        (id: Int, poll: HeldPoll, continuation: CheckedContinuation<Wake, Never>, timer: Task<Void, Never>)?
    private var nextWaitID = 0

    private var users: [Int64: SandboxUser] = [:]
    private var blocked: Set<Int64> = []
    private var messages: [Int64: [SandboxMessage]] = [:]  // per chat, both sides, in order
    private var nextMessageID: [Int64: Int64] = [:]

    /// What a user-side request can wait for: the bot's next message to a chat, or a long poll being held.
    private enum Awaited: Sendable, Equatable {
        case message(chatID: Int64)
        case heldPoll
    }
    private var waiters:
        [Int: (awaited: Awaited, continuation: CheckedContinuation<Void, Never>, timer: Task<Void, Never>)] = [:]

    private var requests: [(id: Int, record: RecordedRequest)] = []
    private var nextRequestID = 0
    private var faults: [SandboxFault] = []
    private var isShutDown = false

    init(configuration: SandboxConfiguration, token: String) {
        self.token = token
        self.botID = Int64(token.prefix { $0 != ":" }) ?? 1
        self.botUsername = configuration.botUsername
        self.botFirstName = configuration.botFirstName
        self.nextUpdateID = configuration.firstUpdateID ?? Int64.random(in: 100_000_000...899_999_999)
    }

    // MARK: - Routing

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        if request.path == "/sandbox" || request.path.hasPrefix("/sandbox/") {
            return await userSide(request)
        }
        if request.path.hasPrefix("/bot") {
            return await botAPI(request)
        }
        return .error(404, "Not Found")
    }

    /// Ends every waiting request: for a server that stops.
    func shutdown() {
        isShutDown = true
        if let held {
            held.timer.cancel()
            held.continuation.resume(returning: .timeout)
            self.held = nil
        }
        wake { _ in true }
    }

    // MARK: - Bot API

    private func botAPI(_ request: SandboxRequest) async -> SandboxResponse {
        let rest = request.path.dropFirst("/bot".count)
        guard let slash = rest.firstIndex(of: "/") else { return .error(404, "Not Found") }
        let sentToken = String(rest[..<slash]).removingPercentEncoding ?? String(rest[..<slash])
        let method = String(rest[rest.index(after: slash)...]).removingPercentEncoding ?? ""
        // Whatever token came, the log shows `<token>`: a wrong one may be a real bot's.
        let loggedPath = "/bot<token>/" + String(rest[rest.index(after: slash)...])
        guard TokenShape.isValid(sentToken) else {
            return record(request, path: loggedPath, method: method, parameters: [], response: .error(404, "Not Found"))
        }
        guard sentToken == token else {
            return record(
                request,
                path: loggedPath,
                method: method,
                parameters: [],
                response: .error(401, "Unauthorized")
            )
        }

        let parameters: [(String, String)]
        do {
            parameters = try ParameterParsing.parameters(of: request)
        } catch {
            let description =
                switch error {
                case .badJSON: "Bad Request: can't parse JSON object"
                case .jsonNotObject: "Bad Request: JSON object expected"
                case .badMultipart: "Bad Request: can't parse multipart/form-data body"
                }
            return record(
                request,
                path: loggedPath,
                method: method,
                parameters: request.queryItems,
                response: .error(400, description)
            )
        }
        let id = startRecord(request, path: loggedPath, method: method, parameters: parameters)
        let response = await answer(method: method, Parameters(parameters))
        finishRecord(id, response)
        return response
    }

    private func answer(method: String, _ p: Parameters) async -> SandboxResponse {
        if let index = faults.firstIndex(where: { $0.matches(method) }) {
            let fault = faults[index]
            faults[index].count -= 1
            if faults[index].count <= 0 { faults.remove(at: index) }
            return Self.response(for: fault)
        }
        switch method.lowercased() {
        case "getme": return .ok(botJSON(full: true))
        case "getupdates": return await getUpdates(p)
        case "sendmessage": return sendMessage(p)
        case "setmycommands": return setMyCommands(p)
        case "getmycommands": return .ok(commands[commandsKey(p)] ?? [])
        case "deletemycommands":
            commands[commandsKey(p)] = nil
            return .ok(true)
        case "setwebhook": return setWebhook(url: p["url"] ?? "", p)
        case "deletewebhook": return setWebhook(url: "", p)
        case "getwebhookinfo":
            return .ok(
                .object([
                    ("url", .string(webhookURL ?? "")), ("has_custom_certificate", false),
                    ("pending_update_count", .int(Int64(pending.count))),
                ])
            )
        default: return .error(404, "Not Found: method not found")
        }
    }

    static func response(for fault: SandboxFault) -> SandboxResponse {
        if fault.errorCode == 0 { return .dropConnection }
        if fault.errorCode == 429 {
            let retryAfter = fault.retryAfter ?? 1
            return .error(
                429,
                fault.description ?? "Too Many Requests: retry after \(retryAfter)",
                retryAfter: retryAfter
            )
        }
        let standard =
            switch fault.errorCode {
            case 400: "Bad Request"
            case 401: "Unauthorized"
            case 403: "Forbidden: bot was blocked by the user"
            case 404: "Not Found"
            case 409:
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
            case 500: "Internal Server Error"
            case 502: "Bad Gateway"
            default: "Error"
            }
        return .error(fault.errorCode, fault.description ?? standard, retryAfter: fault.retryAfter)
    }

    private func botJSON(full: Bool) -> JSON {
        var fields: [(String, JSON)] = [
            ("id", .int(botID)), ("is_bot", true), ("first_name", .string(botFirstName)),
            ("username", .string(botUsername)),
        ]
        if full {
            fields += [
                ("can_join_groups", true), ("can_read_all_group_messages", false),
                ("supports_inline_queries", false), ("can_connect_to_business", false),
                ("has_main_web_app", false),
            ]
        }
        return .object(fields)
    }

    // MARK: getUpdates

    private func getUpdates(_ p: Parameters) async -> SandboxResponse {
        if webhookURL != nil {
            return .error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
            )
        }
        let offset = p.integer("offset", default: 0)
        let limit = min(max(p.integer("limit", default: 100), 1), 100)
        let timeout = min(max(p.integer("timeout", default: 0), 0), Int64(Self.maxPollTimeout))
        if let text = p["allowed_updates"], let json = JSON(parsing: text), case .array(let items) = json {
            let kinds = items.compactMap(\.stringValue)
            allowedUpdates = kinds.isEmpty ? nil : kinds
        }

        if offset < 0 {
            pending = Array(pending.suffix(Int(min(-offset, Int64(pending.count)))))
        } else if offset > 0 {
            pending.removeAll { $0.id < offset }
        }
        if pending.isEmpty, timeout > 0, !isShutDown {
            switch await hold(HeldPoll(offset: offset, timeout: Int(timeout), since: Date())) {
            case .conflict:
                return .error(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
                )
            case .webhook:
                return .error(409, "Conflict: terminated by setWebhook request")
            case .update, .timeout:
                break
            }
        }
        return .ok(.array(pending.prefix(Int(limit)).map(\.json)))
    }

    /// Holds a long poll until an update arrives, the timeout passes, or another poll (or
    /// setWebhook) ends it. Only one is held: a new one ends the old one, as on Telegram.
    private func hold(_ poll: HeldPoll) async -> Wake {
        endHeldPoll(.conflict)
        nextWaitID += 1
        let id = nextWaitID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: .seconds(poll.timeout))
                    await self?.expireHeldPoll(id)
                }
                held = (id, poll, continuation, timer)
                wake { $0 == .heldPoll }
            }
        } onCancel: {
            Task { [weak self] in await self?.expireHeldPoll(id) }
        }
    }

    private func expireHeldPoll(_ id: Int) {
        guard let held, held.id == id else { return }
        self.held = nil
        held.continuation.resume(returning: .timeout)
    }

    private func endHeldPoll(_ wake: Wake) {
        guard let held else { return }
        self.held = nil
        held.timer.cancel()
        held.continuation.resume(returning: wake)
    }

    // MARK: sendMessage

    private func sendMessage(_ p: Parameters) -> SandboxResponse {
        let raw = p["text"] ?? ""
        guard !raw.isEmpty else { return .error(400, "Bad Request: message text is empty") }
        let parseMode = p["parse_mode"] ?? ""
        guard Formatting.parseModeIsValid(parseMode) else { return .error(400, "Bad Request: unsupported parse_mode") }
        let formatted: (text: String, entities: [SandboxEntity])
        do {
            formatted = try Formatting.format(raw, parseMode: parseMode)
        } catch {
            return .error(400, "Bad Request: \(error.description)")
        }
        let markup: JSON?
        switch ReplyMarkupCheck.check(p["reply_markup"]) {
        case .failure(let failure): return .error(400, "Bad Request: \(failure.description)")
        case .success(let value): markup = value
        }
        guard let chatText = p["chat_id"]?.trimmingCharacters(in: .whitespaces), !chatText.isEmpty else {
            return .error(400, "Bad Request: chat_id is empty")
        }
        guard let chatID = Int64(chatText), let user = users[chatID] else {
            return .error(400, "Bad Request: chat not found")
        }
        guard !formatted.text.isEmpty else { return .error(400, "Bad Request: message must be non-empty") }
        guard formatted.text.unicodeScalars.count <= 4096 else {
            return .error(400, "Bad Request: message is too long")
        }
        guard !blocked.contains(chatID) else { return .error(403, "Forbidden: bot was blocked by the user") }

        let message = SandboxMessage(
            messageID: takeMessageID(chatID),
            chatID: chatID,
            date: Int64(Date().timeIntervalSince1970),
            text: formatted.text,
            entities: formatted.entities,
            fromBot: true,
            parseMode: parseMode.isEmpty ? nil : parseMode,
            replyMarkup: markup
        )
        messages[chatID, default: []].append(message)
        wake { $0 == .message(chatID: chatID) }
        var fields: [(String, JSON)] = [
            ("message_id", .int(message.messageID)), ("from", botJSON(full: false)),
            ("chat", user.chatJSON), ("date", .int(message.date)),
            ("text", .string(message.text)),
        ]
        if !message.entities.isEmpty { fields.append(("entities", .array(message.entities.map(\.json)))) }
        if let markup, markup["inline_keyboard"] != nil { fields.append(("reply_markup", markup)) }
        return .ok(.object(fields))
    }

    private func takeMessageID(_ chatID: Int64) -> Int64 {
        let id = nextMessageID[chatID, default: 1]
        nextMessageID[chatID] = id + 1
        return id
    }

    // MARK: Commands and webhook

    private func commandsKey(_ p: Parameters) -> String {
        let scope = p["scope"].flatMap { JSON(parsing: $0) }?["type"]?.stringValue ?? "default"
        return "\(scope)|\(p["language_code"] ?? "")"
    }

    private func setMyCommands(_ p: Parameters) -> SandboxResponse {
        guard let json = JSON(parsing: p["commands"] ?? "") else {
            return .error(400, "Bad Request: can't parse commands JSON object")
        }
        guard case .array(let items) = json else { return .error(400, "Bad Request: expected an Array of BotCommand") }
        guard items.count <= 100 else { return .error(400, "Bad Request: too many commands specified") }
        var list: [JSON] = []
        for item in items {
            guard case .object = item else {
                return .error(400, "Bad Request: can't parse BotCommand: expected an Object")
            }
            guard let commandValue = item["command"] else {
                return .error(400, "Bad Request: can't parse BotCommand: Can't find field \"command\"")
            }
            guard let descriptionValue = item["description"] else {
                return .error(400, "Bad Request: can't parse BotCommand: Can't find field \"description\"")
            }
            var command = commandValue.parameterText.trimmingCharacters(in: .whitespaces)
            if command.hasPrefix("/") { command.removeFirst() }
            let description = descriptionValue.parameterText.trimmingCharacters(in: .whitespacesAndNewlines)
            let allowed = command.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
            guard (1...32).contains(command.count), allowed else {
                return .error(400, "Bad Request: BOT_COMMAND_INVALID")
            }
            guard (1...256).contains(description.count) else {
                return .error(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            }
            list.append(.object([("command", .string(command)), ("description", .string(description))]))
        }
        commands[commandsKey(p)] = .array(list)
        return .ok(true)
    }

    private func setWebhook(url: String, _ p: Parameters) -> SandboxResponse {
        let dropPending = ["true", "1"].contains((p["drop_pending_updates"] ?? "").lowercased())
        if url.isEmpty {
            let wasSet = webhookURL != nil
            webhookURL = nil
            if dropPending { pending = [] }
            return .ok(true, description: wasSet ? "Webhook was deleted" : "Webhook is already deleted")
        }
        guard url.lowercased().hasPrefix("https://"), URL(string: url)?.host != nil else {
            return .error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        }
        let same = webhookURL == url
        webhookURL = url
        if dropPending { pending = [] }
        endHeldPoll(.webhook)
        // The sandbox never calls the webhook (it has no network to call it on): while one is set,
        // updates wait, and getUpdates answers 409, as on Telegram.
        return .ok(true, description: same ? "Webhook is already set" : "Webhook was set")
    }

    // MARK: - Requests log

    private func startRecord(
        _ request: SandboxRequest,
        path: String,
        method: String,
        parameters: [(String, String)]
    ) -> Int {
        nextRequestID += 1
        let record = RecordedRequest(
            httpMethod: request.method,
            path: path,
            method: method,
            parameters: parameters.map { (redact($0.0), redact($0.1)) },
            status: nil,
            description: nil,
            date: Date()
        )
        requests.append((nextRequestID, record))
        if requests.count > Self.maxRecordedRequests { requests.removeFirst(requests.count - Self.maxRecordedRequests) }
        return nextRequestID
    }

    /// Notes the answer: its status (0 for a dropped connection) and, for an error, its description.
    private func finishRecord(_ id: Int, _ response: SandboxResponse) {
        guard let index = requests.lastIndex(where: { $0.id == id }) else { return }
        requests[index].record.status = response.drop ? 0 : response.status
        if !response.drop, response.status != 200 {
            requests[index].record.description = JSON(parsing: response.body)?["description"]?.stringValue.map(redact)
        }
    }

    private func record(
        _ request: SandboxRequest,
        path: String,
        method: String,
        parameters: [(String, String)],
        response: SandboxResponse
    ) -> SandboxResponse {
        finishRecord(startRecord(request, path: path, method: method, parameters: parameters), response)
        return response
    }

    private func redact(_ text: String) -> String {
        text.replacingOccurrences(of: token, with: "<token>")
            .replacingOccurrences(of: token.replacingOccurrences(of: ":", with: "%3A"), with: "<token>")
            .replacingOccurrences(of: token.replacingOccurrences(of: ":", with: "%3a"), with: "<token>")
    }

    // MARK: - The user side, in process

    func userMessage(
        userID: Int64,
        text: String,
        firstName: String?,
        lastName: String?,
        username: String?,
        languageCode: String?
    ) -> (updateID: Int64?, messageID: Int64) {
        var user = users[userID] ?? SandboxUser(id: userID, firstName: firstName ?? "User \(userID)")
        if let firstName { user.firstName = firstName }
        if let lastName { user.lastName = lastName }
        if let username { user.username = username }
        if let languageCode { user.languageCode = languageCode }
        users[userID] = user

        let entities = Formatting.botCommands(in: text)
        let message = SandboxMessage(
            messageID: takeMessageID(userID),
            chatID: userID,
            date: Int64(Date().timeIntervalSince1970),
            text: text,
            entities: entities,
            fromBot: false,
            parseMode: nil,
            replyMarkup: nil
        )
        messages[userID, default: []].append(message)
        if let allowedUpdates, !allowedUpdates.contains("message") {
            return (nil, message.messageID)
        }
        var fields: [(String, JSON)] = [
            ("message_id", .int(message.messageID)), ("from", user.json),
            ("chat", user.chatJSON), ("date", .int(message.date)), ("text", .string(text)),
        ]
        if !entities.isEmpty { fields.append(("entities", .array(entities.map(\.json)))) }
        let updateID = nextUpdateID
        nextUpdateID += 1
        pending.append((updateID, .object([("update_id", .int(updateID)), ("message", .object(fields))])))
        endHeldPoll(.update)
        return (updateID, message.messageID)
    }

    func setBlocked(_ userID: Int64, _ isBlocked: Bool) {
        if isBlocked { blocked.insert(userID) } else { blocked.remove(userID) }
    }

    /// The bot's messages in a chat after `after`, waiting up to `timeout` seconds for the first.
    func botMessages(chatID: Int64, after: Int64, timeout: Double) async -> [SandboxMessage] {
        let found = sentByBot(chatID, after: after)
        guard found.isEmpty else { return found }
        await wait(for: .message(chatID: chatID), seconds: timeout)
        return sentByBot(chatID, after: after)
    }

    private func sentByBot(_ chatID: Int64, after: Int64) -> [SandboxMessage] {
        (messages[chatID] ?? []).filter { $0.fromBot && $0.messageID > after }
    }

    /// The getUpdates being held, if there is one: the bot is idle, waiting for updates.
    var heldPoll: HeldPoll? { held?.poll }

    /// The getUpdates being held, waiting up to `timeout` seconds for the bot to make one.
    func waitForHeldPoll(timeout: Double) async -> HeldPoll? {
        if held == nil { await wait(for: .heldPoll, seconds: timeout) }
        return held?.poll
    }

    /// Waits until `wake` names what is awaited, the sandbox stops, or `seconds` pass.
    private func wait(for awaited: Awaited, seconds: Double) async {
        guard seconds > 0, !isShutDown else { return }
        nextWaitID += 1
        let id = nextWaitID
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: .seconds(seconds))
                    await self?.expireWaiter(id)
                }
                waiters[id] = (awaited, continuation, timer)
            }
        } onCancel: {
            Task { [weak self] in await self?.expireWaiter(id) }
        }
    }

    /// Ends the waits for what has happened.
    private func wake(_ happened: (Awaited) -> Bool) {
        for (id, waiter) in waiters where happened(waiter.awaited) {
            waiters[id] = nil
            waiter.timer.cancel()
            waiter.continuation.resume()
        }
    }

    private func expireWaiter(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.continuation.resume()
    }

    /// The chats whose next bot message someone is waiting for.
    var awaitedChats: [Int64] {
        Set(waiters.values.compactMap { if case .message(let chatID) = $0.awaited { chatID } else { nil } }).sorted()
    }

    func recordedRequests() -> [RecordedRequest] { requests.map(\.record) }

    func clearRequests() { requests = [] }

    func addFault(_ fault: SandboxFault) { faults.append(fault) }

    func currentFaults() -> [SandboxFault] { faults }

    func clearFaults() { faults = [] }

    func info() -> JSON {
        .object([
            ("bot", botJSON(full: true)), ("pending_update_count", .int(Int64(pending.count))),
            ("webhook_url", .string(webhookURL ?? "")),
            ("chats", .array(users.keys.sorted().map { .int($0) })),
            ("held_poll", heldPoll?.json ?? .null),
            ("awaited_chats", .array(awaitedChats.map { .int($0) })),
        ])
    }
}

/// A request's parameters: the first value of each name wins.
struct Parameters: Sendable {
    let pairs: [(String, String)]

    init(_ pairs: [(String, String)]) {
        self.pairs = pairs
    }

    subscript(name: String) -> String? {
        pairs.first { $0.0 == name }?.1
    }

    /// An integer read as the Bot API reads it: the default when absent or empty, else the
    /// leading digits (with a sign), 0 when there are none, so "abc" is 0 and "10abc" is 10.
    func integer(_ name: String, default value: Int64) -> Int64 {
        guard let text = self[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return value }
        var digits = Substring(text)
        var sign: Int64 = 1
        if digits.first == "-" || digits.first == "+" {
            if digits.first == "-" { sign = -1 }
            digits = digits.dropFirst()
        }
        let prefix = digits.prefix { $0.isASCII && $0.isNumber }.prefix(18)
        return sign * (Int64(prefix) ?? 0)
    }
}

/// Checks a reply_markup parameter the way the Bot API does, as far as the sandbox needs.
enum ReplyMarkupCheck {
    struct Failure: Error {
        var description: String
    }

    static func check(_ text: String?) -> Result<JSON?, Failure> {
        guard let text, !text.isEmpty else { return .success(nil) }
        guard let json = JSON(parsing: text) else {
            return .failure(Failure(description: "can't parse reply keyboard markup JSON object"))
        }
        guard case .object = json else { return .failure(Failure(description: "object expected as reply markup")) }
        if let keyboard = json["inline_keyboard"] {
            guard case .array(let rows) = keyboard,
                rows.allSatisfy({ if case .array = $0 { true } else { false } })
            else {
                return .failure(
                    Failure(
                        description:
                            "field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays"
                    )
                )
            }
            for case .array(let buttons) in rows {
                for button in buttons {
                    guard case .object(let fields) = button, button["text"] != nil else {
                        return .failure(
                            Failure(description: "can't parse inline keyboard button: Can't find field \"text\"")
                        )
                    }
                    if fields.count == 1 {
                        return .failure(Failure(description: "Text buttons are not allowed in the inline keyboard"))
                    }
                }
            }
        } else if let keyboard = json["keyboard"] {
            guard case .array(let rows) = keyboard,
                rows.allSatisfy({ if case .array = $0 { true } else { false } })
            else {
                return .failure(
                    Failure(
                        description: "field \"keyboard\" of the ReplyKeyboardMarkup should be an Array of Arrays"
                    )
                )
            }
        }
        return .success(json)
    }
}
