import Foundation

/// A bot command in a message: `/start`, `/help@my_bot`, `/age 42`.
public struct Command: Sendable, Hashable {
    /// The name without its slash, as sent: `start`.
    public var name: String
    /// The bot the command was addressed to (`/start@my_bot` in a group), without the `@`.
    public var botUsername: String?
    /// The text after the command, trimmed: `42` in `/age 42`.
    public var arguments: String

    public init(name: String, botUsername: String? = nil, arguments: String = "") {
        self.name = name
        self.botUsername = botUsername
        self.arguments = arguments
    }

    /// The command a message starts with, recognised as Telegram clients mark it: the message's
    /// first entity is a `bot_command` at offset 0. A "/start" typed without that entity (which
    /// real clients always add) is plain text, as for python-telegram-bot's CommandHandler.
    /// A command addressed to another bot (`/start@other_bot`) is nil when `botUsername` is known.
    public init?(message: Message, botUsername: String? = nil) {
        guard let text = message.text, let entity = message.entities?.first,
            entity.type == "bot_command", entity.offset == 0, entity.length > 1
        else { return nil }
        let utf16 = text.utf16
        guard entity.length <= utf16.count,
            let end = utf16.index(utf16.startIndex, offsetBy: entity.length, limitedBy: utf16.endIndex),
            let commandEnd = end.samePosition(in: text)
        else { return nil }
        var word = text[text.startIndex..<commandEnd].dropFirst()  // the slash
        var addressee: String?
        if let at = word.firstIndex(of: "@") {
            addressee = String(word[word.index(after: at)...])
            word = word[..<at]
        }
        if let addressee, let botUsername, addressee.lowercased() != botUsername.lowercased() {
            return nil
        }
        self.init(
            name: String(word),
            botUsername: addressee,
            arguments: text[commandEnd...].trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }
}
