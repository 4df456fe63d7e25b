import Foundation

// The few Bot API types a lab bot needs (https://core.telegram.org/bots/api#available-types).
// Decoding ignores fields it does not know, since the real API adds some every few months,
// and a part it cannot read (an update kind this kit does not model) is left nil instead of
// failing the whole batch.

/// A Telegram user or bot.
public struct User: Sendable, Hashable, Codable {
    public var id: Int64
    public var isBot: Bool
    public var firstName: String
    public var lastName: String?
    public var username: String?
    public var languageCode: String?
    /// getMe only.
    public var canJoinGroups: Bool?
    /// getMe only.
    public var canReadAllGroupMessages: Bool?
    /// getMe only.
    public var supportsInlineQueries: Bool?

    public init(id: Int64, isBot: Bool, firstName: String, username: String? = nil) {
        self.id = id
        self.isBot = isBot
        self.firstName = firstName
        self.username = username
    }

    enum CodingKeys: String, CodingKey {
        case id, username
        case isBot = "is_bot"
        case firstName = "first_name"
        case lastName = "last_name"
        case languageCode = "language_code"
        case canJoinGroups = "can_join_groups"
        case canReadAllGroupMessages = "can_read_all_group_messages"
        case supportsInlineQueries = "supports_inline_queries"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        isBot = try c.decodeIfPresent(Bool.self, forKey: .isBot) ?? false
        firstName = try c.decodeIfPresent(String.self, forKey: .firstName) ?? ""
        lastName = try? c.decodeIfPresent(String.self, forKey: .lastName)
        username = try? c.decodeIfPresent(String.self, forKey: .username)
        languageCode = try? c.decodeIfPresent(String.self, forKey: .languageCode)
        canJoinGroups = try? c.decodeIfPresent(Bool.self, forKey: .canJoinGroups)
        canReadAllGroupMessages = try? c.decodeIfPresent(Bool.self, forKey: .canReadAllGroupMessages)
        supportsInlineQueries = try? c.decodeIfPresent(Bool.self, forKey: .supportsInlineQueries)
    }
}

/// A chat: for a private chat its id equals the user's id.
public struct Chat: Sendable, Hashable, Codable {
    public var id: Int64
    /// "private", "group", "supergroup" or "channel" (kept as text: new kinds may come).
    public var type: String
    public var title: String?
    public var username: String?
    public var firstName: String?

    public init(id: Int64, type: String) {
        self.id = id
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case id, type, title, username
        case firstName = "first_name"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        type = (try? c.decodeIfPresent(String.self, forKey: .type)) ?? "private"
        title = try? c.decodeIfPresent(String.self, forKey: .title)
        username = try? c.decodeIfPresent(String.self, forKey: .username)
        firstName = try? c.decodeIfPresent(String.self, forKey: .firstName)
    }
}

/// A special part of a message's text. `offset` and `length` count UTF-16 code units, as the
/// Bot API does.
public struct MessageEntity: Sendable, Hashable, Codable {
    /// "bot_command", "bold", "url", ... (kept as text: new kinds may come).
    public var type: String
    public var offset: Int
    public var length: Int

    public init(type: String, offset: Int, length: Int) {
        self.type = type
        self.offset = offset
        self.length = length
    }

    /// The part of `text` the entity covers (offset and length count UTF-16 units, as the API does); nil when
    /// it reaches past the end.
    public func covered(in text: String) -> String? {
        let units = Array(text.utf16)
        guard offset >= 0, length >= 0, offset + length <= units.count else { return nil }
        return String(decoding: units[offset..<(offset + length)], as: UTF16.self)
    }
}

/// A message.
public struct Message: Sendable, Hashable, Codable {
    public var messageID: Int64
    public var date: Int64
    public var chat: Chat
    public var from: User?
    public var text: String?
    public var entities: [MessageEntity]?
    public var replyMarkup: JSONValue?

    public init(
        messageID: Int64,
        date: Int64,
        chat: Chat,
        from: User? = nil,
        text: String? = nil,
        entities: [MessageEntity]? = nil
    ) {
        self.messageID = messageID
        self.date = date
        self.chat = chat
        self.from = from
        self.text = text
        self.entities = entities
    }

    enum CodingKeys: String, CodingKey {
        case date, chat, from, text, entities
        case messageID = "message_id"
        case replyMarkup = "reply_markup"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try c.decode(Int64.self, forKey: .messageID)
        date = (try? c.decodeIfPresent(Int64.self, forKey: .date)) ?? 0
        chat = try c.decode(Chat.self, forKey: .chat)
        from = try? c.decodeIfPresent(User.self, forKey: .from)
        text = try? c.decodeIfPresent(String.self, forKey: .text)
        entities = try? c.decodeIfPresent([MessageEntity].self, forKey: .entities)
        replyMarkup = try? c.decodeIfPresent(JSONValue.self, forKey: .replyMarkup)
    }
}

/// An incoming update. Only message updates are modelled; others decode with `message == nil`
/// and still count for the offset.
public struct Update: Sendable, Hashable, Codable {
    public var updateID: Int64
    public var message: Message?
    public var editedMessage: Message?

    public init(updateID: Int64, message: Message? = nil) {
        self.updateID = updateID
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case message
        case updateID = "update_id"
        case editedMessage = "edited_message"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        updateID = try c.decode(Int64.self, forKey: .updateID)
        message = try? c.decodeIfPresent(Message.self, forKey: .message)
        editedMessage = try? c.decodeIfPresent(Message.self, forKey: .editedMessage)
    }
}

/// A command shown in the clients' menu (setMyCommands).
public struct BotCommand: Sendable, Hashable, Codable {
    public var command: String
    public var description: String

    public init(_ command: String, _ description: String) {
        self.command = command
        self.description = description
    }
}

/// How a message's text is formatted: the API turns the markup into entities (bold, links…) and answers
/// 400 "Bad Request: can't parse entities: …" to markup it cannot read.
public enum ParseMode: String, Sendable, Codable {
    case markdown = "Markdown"
    case markdownV2 = "MarkdownV2"
    case html = "HTML"

    /// `text` as it must appear in a message of this mode to be shown as it is, markup characters and all.
    /// Anything a user wrote (a name, a message) needs it: `"<b>\(ParseMode.html.escape(name))</b>"`, or a name
    /// like "Kim <3" makes the whole message fail.
    public func escape(_ text: String) -> String {
        switch self {
        case .html:
            var escaped = ""
            for character in text {
                switch character {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                case "\"": escaped += "&quot;"
                default: escaped.append(character)
                }
            }
            return escaped
        case .markdownV2:
            return Self.backslashed(text, before: "\\_*[]()~`>#+-=|{}.!")
        case .markdown:
            return Self.backslashed(text, before: "_*`[")  // legacy Markdown: a backslash escapes only these
        }
    }

    private static func backslashed(_ text: String, before special: String) -> String {
        var escaped = ""
        for character in text {
            if special.contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

/// A keyboard or keyboard removal sent with a message (the Bot API's reply_markup).
public struct ReplyMarkup: Sendable, Hashable {
    public var json: JSONValue

    public init(json: JSONValue) {
        self.json = json
    }

    /// Buttons under the message; each sends its `callbackData` back to the bot when pressed.
    public static func inlineKeyboard(_ rows: [[(text: String, callbackData: String)]]) -> ReplyMarkup {
        let keyboard = rows.map { row in
            JSONValue.array(row.map { ["text": .string($0.text), "callback_data": .string($0.callbackData)] })
        }
        return ReplyMarkup(json: ["inline_keyboard": .array(keyboard)])
    }

    /// A custom keyboard replacing the user's; each button sends its text.
    public static func keyboard(_ rows: [[String]], resize: Bool = true, oneTime: Bool = false) -> ReplyMarkup {
        let keyboard = rows.map { row in JSONValue.array(row.map { ["text": .string($0)] }) }
        return ReplyMarkup(json: [
            "keyboard": .array(keyboard), "resize_keyboard": .bool(resize), "one_time_keyboard": .bool(oneTime),
        ])
    }

    /// Removes a custom keyboard.
    public static let removeKeyboard = ReplyMarkup(json: ["remove_keyboard": true])
}
