/// Strict UTF-8 handling without Foundation, shared by name validation and frame descriptions.
///
/// `String(decoding:as:)` silently repairs invalid input, which is right for showing text but wrong
/// for deciding whether a name is valid or for showing a person which bytes were actually sent.
enum UTF8Text {
    /// The scalar that starts at `index` and its length in bytes, or nil when the bytes there are
    /// not a well-formed UTF-8 sequence (overlong forms, surrogates and values past U+10FFFF
    /// included).
    static func scalar(in bytes: [UInt8], at index: Int) -> (scalar: Unicode.Scalar, length: Int)? {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F:
            return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF:
            length = 2
            value = UInt32(lead & 0x1F)
        case 0xE0...0xEF:
            length = 3
            value = UInt32(lead & 0x0F)
            if lead == 0xE0 { low = 0xA0 }
            if lead == 0xED { high = 0x9F }
        case 0xF0...0xF4:
            length = 4
            value = UInt32(lead & 0x07)
            if lead == 0xF0 { low = 0x90 }
            if lead == 0xF4 { high = 0x8F }
        default:
            return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            // Only the first continuation byte has the narrowed range.
            let range = offset == 1 ? low...high : 0x80...0xBF
            guard range.contains(byte) else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// Whether all of `bytes` is well-formed UTF-8.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            guard let (_, length) = scalar(in: bytes, at: index) else { return false }
            index += length
        }
        return true
    }

    /// `bytes` as the inside of a double-quoted literal a person can read and retype: printable
    /// text as is, `\n` `\r` `\t` `\"` `\\` escaped, other control characters and bytes that are
    /// not UTF-8 as `\xNN` (or `\u{NN}` for the two-byte C1 controls). Stops before the scalar
    /// that would go past `limit` bytes and says how many bytes were left out.
    static func quoted(_ bytes: [UInt8], limit: Int) -> String {
        var out = "\""
        var index = 0
        while index < bytes.count {
            guard index < limit else { break }
            if let (scalar, length) = scalar(in: bytes, at: index) {
                switch scalar {
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\u{00}"..."\u{1F}", "\u{7F}": out += "\\x" + hex(UInt8(scalar.value))
                case "\u{80}"..."\u{9F}": out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                default: out.unicodeScalars.append(scalar)
                }
                index += length
            } else {
                out += "\\x" + hex(bytes[index])
                index += 1
            }
        }
        out += "\""
        if index < bytes.count {
            out += "… (\(bytes.count - index) more bytes)"
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0" + digits : digits
    }
}
