// Showing what travels, exactly and safely: bytes as Python prints them, text as Swift writes it.

/// Python's `repr()` of a bytes object, `b'Hello, world'`, so programs can print what they received exactly as the
/// lecture's output shows it. Non-printable bytes appear as `\n`, `\x00`, … — never raw on the terminal.
public func repr(_ bytes: some Sequence<UInt8>) -> String {
    let array = Array(bytes)
    let quote: UInt8 = array.contains(UInt8(ascii: "'")) && !array.contains(UInt8(ascii: "\"")) ? 34 : 39
    var text = "b" + String(UnicodeScalar(quote))
    for byte in array {
        switch byte {
        case quote, UInt8(ascii: "\\"): text += "\\" + String(UnicodeScalar(byte))
        case UInt8(ascii: "\n"): text += "\\n"
        case UInt8(ascii: "\r"): text += "\\r"
        case UInt8(ascii: "\t"): text += "\\t"
        case 0x20..<0x7F: text.unicodeScalars.append(UnicodeScalar(byte))
        default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
    }
    return text + String(UnicodeScalar(quote))
}

/// Text in double quotes, as a Swift string literal writes it, for messages that show a value: `"Hello\n"`.
/// Printable characters of any script stay as they are; control characters and invisible ones (a right-to-left
/// override, a zero-width space) become `\u{…}`, so what is shown is what was there.
public func quoted(_ text: some StringProtocol) -> String {
    var escaped = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        case "\t": escaped += "\\t"
        case "\0": escaped += "\\0"
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate, .lineSeparator, .paragraphSeparator:
                escaped += "\\u{" + String(scalar.value, radix: 16) + "}"
            default:
                escaped.unicodeScalars.append(scalar)
            }
        }
    }
    return escaped + "\""
}
