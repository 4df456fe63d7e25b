/// Two byte strings side by side around their first difference, with a caret under it:
///
///     first difference at byte 7 (of 12 expected, 12 received):
///       expected  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64  Hello, world
///       received  48 65 6c 6c 6f 2c 20 57 6f 72 6c 64  Hello, World
///                                      ^^                     ^
///
/// A window of 16 bytes at most, so a megabyte shows as one screenful; nil when the two are equal.
public func byteDifference(
    expected: [UInt8],
    received: [UInt8],
    labels: (String, String) = ("expected", "received")
)
    -> String?
{
    guard let first = firstDifference(expected, received) else { return nil }
    let width = 16
    let start = max(0, min(first - 7, max(expected.count, received.count) - width))
    let labelWidth = max(labels.0.count, labels.1.count)

    func row(_ label: String, _ bytes: [UInt8]) -> String {
        let window = bytes.dropFirst(start).prefix(width)
        let hex = window.map { hexByte($0) }.joined(separator: " ")
        let text = String(window.map { (0x20..<0x7F).contains($0) ? Character(UnicodeScalar($0)) : "." })
        let paddedHex = hex.padding(toLength: width * 3 - 1, withPad: " ", startingAt: 0)
        let ending = bytes.count < start + width && bytes.count <= first ? "  (ends here)" : ""
        return "  " + label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  " + paddedHex + "  " + text
            + ending
    }
    let column = first - start
    let indent = String(repeating: " ", count: 2 + labelWidth + 2)
    // Under the hex column's pair of digits, and under the same byte in the text column (which starts two spaces
    // after the hex column's \(width * 3 - 1) characters).
    let caretHex = String(repeating: " ", count: column * 3) + "^^"
    let caretText = String(repeating: " ", count: (width * 3 - 1 + 2 + column) - (column * 3 + 2)) + "^"
    let where_ = start > 0 ? " (the rows start at byte \(start))" : ""
    return """
        first difference at byte \(first) (of \(expected.count) \(labels.0), \(received.count) \(labels.1))\(where_):
        \(row(labels.0, expected))
        \(row(labels.1, received))
        \(indent)\(caretHex)\(caretText)
        """
}

/// The index of the first byte where the two differ (the shorter one's end if one is a prefix of the other).
public func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
    let common = min(a.count, b.count)
    if let index = a.withUnsafeBufferPointer({ x in
        b.withUnsafeBufferPointer { y in (0..<common).first { x[$0] != y[$0] } }
    }) {
        return index
    }
    return a.count == b.count ? nil : common
}

/// Fails unless `received == expected`, drawing the first difference: for binary data and long echoes, where a
/// quoted dump would hide it.
public func expectBytes(_ received: [UInt8], equal expected: [UInt8], _ what: @autoclosure () -> String) throws {
    guard let difference = byteDifference(expected: expected, received: received) else { return }
    let summary =
        received.count == expected.count
        ? "\(what()) differs from what was expected"
        : received.count < expected.count
            ? "\(what()) is \(expected.count - received.count) bytes short"
            : "\(what()) has \(received.count - expected.count) bytes too many"
    throw CheckFailure(summary + "; " + difference)
}

private func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
