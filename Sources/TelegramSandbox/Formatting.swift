import Foundation

/// A message entity as the Bot API returns it; offsets and lengths in UTF-16 code units.
public struct SandboxEntity: Sendable, Equatable {
    public var type: String
    public var offset: Int
    public var length: Int
    public var url: String?

    public var json: JSON {
        var fields: [(String, JSON)] = [
            ("offset", .int(Int64(offset))), ("length", .int(Int64(length))),
            ("type", .string(type)),
        ]
        if let url { fields.append(("url", .string(url))) }
        return .object(fields)
    }
}

/// Turns a message's text and parse_mode into the text users see and its entities, as the Bot
/// API does: HTML, MarkdownV2 and Markdown markup becomes entities, mistakes in it become
/// "can't parse entities: ..." errors, surrounding whitespace is trimmed, and bot commands are
/// found and marked.
///
/// The markup parsers cover what lab bots use (bold, italic, underline, strikethrough, spoiler,
/// code, pre, links); the wording of their errors follows TDLib's but may differ in detail.
enum Formatting {
    struct Failure: Error, Equatable {
        var description: String
    }

    static func parseModeIsValid(_ parseMode: String) -> Bool {
        ["", "markdown", "markdownv2", "html"].contains(parseMode.lowercased())
    }

    static func format(_ text: String, parseMode: String) throws(Failure) -> (text: String, entities: [SandboxEntity]) {
        var (visible, entities): (String, [SandboxEntity])
        switch parseMode.lowercased() {
        case "html": (visible, entities) = try html(text)
        case "markdownv2": (visible, entities) = try markdown(text, v2: true)
        case "markdown": (visible, entities) = try markdown(text, v2: false)
        default: (visible, entities) = (text, [])
        }
        (visible, entities) = trim(visible, entities)
        entities += botCommands(in: visible, avoiding: entities)
        entities.sort { ($0.offset, -$0.length) < ($1.offset, -$1.length) }
        return (visible, entities)
    }

    /// Bot command entities: `/word` or `/word@bot_name` at the start or after whitespace.
    static func botCommands(in text: String, avoiding taken: [SandboxEntity] = []) -> [SandboxEntity] {
        let units = Array(text.utf16)
        var found: [SandboxEntity] = []
        func isWord(_ unit: UInt16) -> Bool {
            (unit >= 48 && unit <= 57) || (unit >= 65 && unit <= 90) || (unit >= 97 && unit <= 122) || unit == 95
        }
        var index = 0
        while index < units.count {
            let atStart = index == 0 || [32, 9, 10, 13].contains(units[index - 1])
            guard units[index] == 47, atStart else {
                index += 1
                continue
            }  // "/"
            var end = index + 1
            while end < units.count, isWord(units[end]), end - index <= 64 { end += 1 }
            guard end > index + 1 else {
                index += 1
                continue
            }
            if end < units.count, units[end] == 64 {  // "@bot_name"
                var nameEnd = end + 1
                while nameEnd < units.count, isWord(units[nameEnd]) { nameEnd += 1 }
                if nameEnd - end - 1 >= 3 { end = nameEnd }
            }
            if end < units.count, isWord(units[end]) || units[end] == 47 {
                index = end
                continue
            }
            let overlaps = taken.contains { index < $0.offset + $0.length && $0.offset < end }
            if !overlaps { found.append(SandboxEntity(type: "bot_command", offset: index, length: end - index)) }
            index = end
        }
        return found
    }

    private static func trim(_ text: String, _ entities: [SandboxEntity]) -> (String, [SandboxEntity]) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed != text else { return (text, entities) }
        let leading = text.utf16.count - String(text.drop { $0.isWhitespace || $0.isNewline }).utf16.count
        let length = trimmed.utf16.count
        let shifted = entities.compactMap { entity -> SandboxEntity? in
            let start = max(entity.offset - leading, 0)
            let end = min(entity.offset + entity.length - leading, length)
            guard end > start else { return nil }
            var copy = entity
            copy.offset = start
            copy.length = end - start
            return copy
        }
        return (trimmed, shifted)
    }

    // MARK: - HTML

    private static let htmlTags: [String: String] = [
        "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
        "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
        "span": "spoiler", "code": "code", "pre": "pre", "a": "text_link", "blockquote": "blockquote",
        "tg-emoji": "custom_emoji",
    ]

    private static func html(_ text: String) throws(Failure) -> (String, [SandboxEntity]) {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var stack: [(tag: String, start: Int, url: String?)] = []
        var entities: [SandboxEntity] = []
        var index = 0
        func utf16Count(_ bytes: [UInt8]) -> Int { String(decoding: bytes, as: UTF8.self).utf16.count }
        func fail(_ message: String) -> Failure { Failure(description: "can't parse entities: \(message)") }

        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") {
                let rest = bytes[index...].prefix(12)
                if let semicolon = rest.firstIndex(of: UInt8(ascii: ";")) {
                    let name = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
                    if let decoded = htmlEntity(name) {
                        out += Array(decoded.utf8)
                        index = semicolon + 1
                        continue
                    }
                }
                out.append(byte)
                index += 1
            } else if byte == UInt8(ascii: "<") {
                // As TDLib reads it: the tag's name runs to a space or ">", so "<3 …>" is the tag "3".
                var nameEnd = index + 1
                while nameEnd < bytes.count, ![UInt8(ascii: ">"), 32, 9, 10, 13].contains(bytes[nameEnd]) {
                    nameEnd += 1
                }
                guard nameEnd < bytes.count else { throw fail("Unclosed start tag at byte offset \(index)") }
                let isEndTag = bytes[index + 1] == UInt8(ascii: "/")
                let name = String(decoding: bytes[(index + 1)..<nameEnd], as: UTF8.self).lowercased()
                guard isEndTag || htmlTags[name] != nil else {
                    throw fail("Unsupported start tag \"\(name)\" at byte offset \(index)")
                }
                guard let close = bytes[nameEnd...].firstIndex(of: UInt8(ascii: ">")) else {
                    throw fail("Unclosed start tag at byte offset \(index)")
                }
                let inside = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
                if isEndTag {
                    let closing = inside.dropFirst().trimmingCharacters(in: .whitespaces).lowercased()
                    guard let open = stack.popLast() else {
                        throw fail("Unexpected end tag at byte offset \(index)")
                    }
                    guard closing == open.tag || closing.isEmpty else {
                        throw fail(
                            "Unmatched end tag at byte offset \(index), expected \"</\(open.tag)>\", found \"</\(closing)>\""
                        )
                    }
                    let start = open.start
                    let end = utf16Count(out)
                    if end > start, let type = htmlTags[open.tag], type != "custom_emoji" {
                        entities.append(SandboxEntity(type: type, offset: start, length: end - start, url: open.url))
                    }
                } else {
                    let attributes = String(inside.dropFirst(name.count))
                    if name == "span", !attributes.contains("tg-spoiler") {
                        throw fail("Tag \"span\" must have class \"tg-spoiler\" at byte offset \(index)")
                    }
                    let url = name == "a" ? attribute("href", in: attributes) : nil
                    stack.append((name, utf16Count(out), url))
                }
                index = close + 1
            } else if byte == UInt8(ascii: ">") {
                out.append(byte)
                index += 1
            } else {
                out.append(byte)
                index += 1
            }
        }
        if let open = stack.last {
            throw fail("Can't find end tag corresponding to start tag \"\(open.tag)\"")
        }
        return (String(decoding: out, as: UTF8.self), entities)
    }

    private static func htmlEntity(_ name: String) -> String? {
        switch name {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value = digits.lowercased().hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
    }

    private static func attribute(_ name: String, in attributes: String) -> String? {
        guard let range = attributes.range(of: "\(name)=") else { return nil }
        var rest = attributes[range.upperBound...]
        if let quote = rest.first, quote == "\"" || quote == "'" {
            rest = rest.dropFirst()
            return String(rest.prefix { $0 != quote })
        }
        return String(rest.prefix { !$0.isWhitespace })
    }

    // MARK: - Markdown and MarkdownV2

    private static let reservedV2 = Set("_*[]()~`>#+-=|{}.!")

    private static func markdown(_ text: String, v2: Bool) throws(Failure) -> (String, [SandboxEntity]) {
        let chars = Array(text)
        var out = ""
        var entities: [SandboxEntity] = []
        // Open entities: the marker, its type, where it began in the output and in the input.
        var stack: [(marker: String, type: String, start: Int, byteOffset: Int)] = []
        func fail(_ message: String) -> Failure { Failure(description: "can't parse entities: \(message)") }
        func byteOffset(_ index: Int) -> Int { String(chars[..<index]).utf8.count }
        func close(_ top: (marker: String, type: String, start: Int, byteOffset: Int), url: String? = nil) {
            let end = out.utf16.count
            if end > top.start {
                entities.append(SandboxEntity(type: top.type, offset: top.start, length: end - top.start, url: url))
            }
        }
        let names = [
            "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
            "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
        ]

        var index = 0
        while index < chars.count {
            let char = chars[index]
            let inCode = stack.last.map { $0.type == "code" || $0.type == "pre" } ?? false
            if char == "\\", index + 1 < chars.count, v2 || "_*`[".contains(chars[index + 1]) {
                out.append(chars[index + 1])
                index += 2
                continue
            }
            if inCode {
                let marker = stack.last!.marker
                if String(chars[index..<min(index + marker.count, chars.count)]) == marker {
                    close(stack.removeLast())
                    index += marker.count
                } else {
                    out.append(char)
                    index += 1
                }
                continue
            }
            // A marker: find which, then close the entity it ends or open a new one.
            var marker: String?
            var type: String?
            switch char {
            case "*": (marker, type) = ("*", "bold")
            case "_":
                if v2, index + 1 < chars.count, chars[index + 1] == "_" {
                    (marker, type) = ("__", "underline")
                } else {
                    (marker, type) = ("_", "italic")
                }
            case "~" where v2: (marker, type) = ("~", "strikethrough")
            case "|" where v2 && index + 1 < chars.count && chars[index + 1] == "|": (marker, type) = ("||", "spoiler")
            case "`":
                if index + 2 < chars.count, chars[index + 1] == "`", chars[index + 2] == "`" {
                    (marker, type) = ("```", "pre")
                } else {
                    (marker, type) = ("`", "code")
                }
            case "[": (marker, type) = ("[", "text_link")
            case "]" where stack.last?.type == "text_link":
                let top = stack.removeLast()
                var url: String?
                if index + 1 < chars.count, chars[index + 1] == "(" {
                    var end = index + 2
                    var link = ""
                    while end < chars.count, chars[end] != ")" {
                        if chars[end] == "\\", end + 1 < chars.count { end += 1 }
                        link.append(chars[end])
                        end += 1
                    }
                    guard end < chars.count else {
                        throw fail(
                            v2
                                ? "Can't find end of a URL at byte offset \(byteOffset(index + 1))"
                                : "Can't find end of the entity starting at byte offset \(top.byteOffset)"
                        )
                    }
                    url = link
                    index = end + 1
                } else {
                    index += 1
                }
                close(top, url: url)
                continue
            case ">" where v2 && (index == 0 || chars[index - 1] == "\n"):
                index += 1  // a block quote line: the marker is dropped
                continue
            default:
                break
            }
            if let marker, let type {
                if type == "pre" || type == "code" {
                    var skip = marker.count
                    if type == "pre" {  // a language name may follow ``` up to the line's end
                        let rest = chars[(index + marker.count)...]
                        if let newline = rest.firstIndex(of: "\n"), !rest[..<newline].contains(" ") {
                            skip = newline - index + 1
                        }
                    }
                    stack.append((marker, type, out.utf16.count, byteOffset(index)))
                    index += skip
                } else if let top = stack.last, top.marker == marker, type != "text_link" {
                    close(stack.removeLast())
                    index += marker.count
                } else if !v2, !stack.isEmpty {
                    // Legacy Markdown does not nest: a marker inside an entity is text.
                    out.append(char)
                    index += 1
                } else {
                    stack.append((marker, type, out.utf16.count, byteOffset(index)))
                    index += marker.count
                }
                continue
            }
            if v2, reservedV2.contains(char) {
                throw fail("Character '\(char)' is reserved and must be escaped with the preceding '\\'")
            }
            out.append(char)
            index += 1
        }
        if let open = stack.first {
            if v2 {
                throw fail(
                    "Can't find end of \(names[open.type] ?? open.type) entity at byte offset \(open.byteOffset)"
                )
            }
            throw fail("Can't find end of the entity starting at byte offset \(open.byteOffset)")
        }
        return (out, entities)
    }
}
