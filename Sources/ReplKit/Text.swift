import SocketKit

// How bytes become text on the terminal, and typed text becomes bytes. Whatever a peer sends, nothing reaches the
// terminal raw: an escape sequence from a peer could move the cursor, retitle the window or hide text.

/// The bytes a typed argument stands for: UTF-8, with `\n \r \t \0 \\ \" \xHH` escapes.
///
///     try unescape(#"Hello\r\n\x00"#)   // [72, 101, 108, 108, 111, 13, 10, 0]
func unescape(_ text: String) throws -> [UInt8] {
    var bytes: [UInt8] = []
    var rest = Substring(text)
    while let backslash = rest.firstIndex(of: "\\") {
        bytes += Array(rest[..<backslash].utf8)
        let escape = rest[rest.index(after: backslash)...]
        guard let letter = escape.first else {
            throw ReplError("a lone \\ at the end of \(asTyped(text)): write \\\\ for a backslash")
        }
        var consumed = 1
        switch letter {
        case "n": bytes.append(0x0A)
        case "r": bytes.append(0x0D)
        case "t": bytes.append(0x09)
        case "0": bytes.append(0x00)
        case "\\": bytes.append(0x5C)
        case "\"": bytes.append(0x22)
        case "x":
            let digits = escape.dropFirst().prefix(2)
            guard digits.count == 2, let value = UInt8(digits, radix: 16) else {
                throw ReplError("\\x needs two hex digits, as in \\x00 or \\x7f (in \(asTyped(text)))")
            }
            bytes.append(value)
            consumed = 3
        default:
            let shown = displayable(Array(String(letter).utf8), escapingBackslash: false)
            throw ReplError("unknown escape \\\(shown) in \(asTyped(text)): use \\n \\r \\t \\0 \\\\ \\\" or \\xHH")
        }
        rest = escape.dropFirst(consumed)
    }
    return bytes + Array(rest.utf8)
}

/// Bytes written in hex, two digits each, with any spaces or colons between them: "48 65 6c 6c 6f", "48656c6c6f",
/// "0x48 0x69".
func parseHex(_ text: String) throws -> [UInt8] {
    let digits = text.lowercased().split { $0.isWhitespace || $0 == ":" }
        .map { $0.hasPrefix("0x") ? $0.dropFirst(2) : $0 }.joined()
    guard !digits.isEmpty, digits.count.isMultiple(of: 2) else {
        throw ReplError("\(asTyped(text)) is not whole bytes of hex: write two digits per byte, as in 48 69 0a")
    }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        guard let byte = UInt8(digits[index..<next], radix: 16) else {
            throw ReplError("\(asTyped(String(digits[index..<next]))) is not a hex byte: use 0–9 and a–f")
        }
        bytes.append(byte)
        index = next
    }
    return bytes
}

/// Text as it may safely be shown: printable characters (any script, so Korean reads as Korean) as they are;
/// control characters, invisible formatting characters and bytes that are not UTF-8 as escapes. A backslash is
/// doubled too, unless the text is the user's own typing, escapes and all.
func displayable(_ bytes: some Collection<UInt8>, escapingBackslash: Bool = true) -> String {
    let bytes = Array(bytes)
    var text = ""
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        switch byte {
        case 0x0A: text += "\\n"
        case 0x0D: text += "\\r"
        case 0x09: text += "\\t"
        case 0x5C: text += escapingBackslash ? "\\\\" : "\\"
        case 0x20..<0x7F: text.unicodeScalars.append(UnicodeScalar(byte))
        default:
            if let (scalar, length) = decodeScalar(bytes, at: index), isSafeToShow(scalar) {
                text.unicodeScalars.append(scalar)
                index += length
                continue
            }
            text += hexEscape(byte)
        }
        index += 1
    }
    return text
}

/// Text the user typed, quoted for a message as it was typed, escapes and all: `"a\qb"` (SocketKit's `quoted` would
/// double the backslash). A script could hold control characters: they are shown escaped, like everything else.
func asTyped(_ text: String) -> String { "\"" + displayable(Array(text.utf8), escapingBackslash: false) + "\"" }

/// `hexdump -C` style: offset, sixteen bytes in hex, and the same bytes as ASCII (dots for the rest).
///
///     0000  48 65 6c 6c 6f 0a                                 |Hello.|
func hexdumpLines(_ bytes: [UInt8]) -> [String] {
    stride(from: 0, to: bytes.count, by: 16).map { offset in
        let row = bytes[offset..<min(offset + 16, bytes.count)]
        var hex = row.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
        hex += Array(repeating: "  ", count: 16 - row.count)
        let left = hex[0..<8].joined(separator: " ")
        let right = hex[8..<16].joined(separator: " ")
        let ascii = String(decoding: row.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
        let position = String(offset, radix: 16)
        return String(repeating: "0", count: max(0, 4 - position.count)) + position
            + "  \(left)  \(right)  |\(ascii)|"
    }
}

/// Python's `repr` of bytes (`b'hi\n'`), shortened past `limit` bytes so that a big transfer does not flood the
/// screen.
func shortRepr(_ bytes: [UInt8], limit: Int = 512) -> String {
    guard bytes.count > limit else { return repr(bytes) }
    return repr(bytes.prefix(limit)) + "… (\(bytes.count) bytes in all)"
}

private func hexEscape(_ byte: UInt8) -> String {
    "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
}

/// The scalar a UTF-8 sequence starting at `index` encodes, and its length; nil if the bytes there are not UTF-8.
private func decodeScalar(_ bytes: [UInt8], at index: Int) -> (UnicodeScalar, Int)? {
    let lead = bytes[index]
    let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
    guard length > 0, index + length <= bytes.count,
        let text = String(validating: bytes[index..<index + length], as: UTF8.self),
        let scalar = text.unicodeScalars.first
    else { return nil }
    return (scalar, length)
}

/// Letters, marks, numbers, punctuation, symbols and spaces; not control or format characters (such as the
/// right-to-left override), unassigned or private-use code points, or line separators.
private func isSafeToShow(_ scalar: UnicodeScalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .unassigned, .privateUse, .surrogate, .lineSeparator, .paragraphSeparator: false
    default: true
    }
}
