import SocketKit

/// A check that did not pass: what was done and what came back, in a sentence or two for the student.
public struct CheckFailure: Error, CustomStringConvertible {
    public let message: String
    /// The machine is to blame, not the student's code (too low a descriptor limit, say): `make doctor` helps.
    public let isMachineProblem: Bool

    public init(_ message: String, machine: Bool = false) {
        self.message = message
        self.isMachineProblem = machine
    }

    public var description: String { message }
}

/// Fails unless `actual == expected`, saying what it should have been: the CS144 way.
public func expect<Value: Equatable>(
    _ actual: Value,
    equals expected: Value,
    _ what: @autoclosure () -> String
) throws {
    guard actual != expected else { return }
    var message = "\(what()) should have been \(show(expected)), but instead it was \(show(actual))"
    if let expected = expected as? String, let actual = actual as? String {
        message += textDifference(expected: quoted(expected), actual: quoted(actual))
    }
    throw CheckFailure(message)
}

/// Two one-line texts one above the other, with a caret under the first character that differs — for lines
/// long enough that the difference is hard to spot.
func textDifference(expected: String, actual: String) -> String {
    let (a, b) = (Array(expected), Array(actual))
    guard a.count + b.count > 30, !expected.contains("…"), !actual.contains("…"),
        let first = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset
            ?? (a.count == b.count ? nil : min(a.count, b.count))
    else { return "" }
    return "\n  expected: \(expected)\n  but got:  \(actual)\n" + String(repeating: " ", count: 12 + first) + "^"
}

/// Compares a program's output with the lines it should have printed, one line at a time, and names the first
/// line that differs — easier to read than two whole lists side by side.
public func expectLines(_ printed: [String], equal expected: [String], from command: String) throws {
    for (index, line) in expected.enumerated() {
        guard index < printed.count else {
            throw CheckFailure(
                "`\(command)` printed \(printed.count) line\(printed.count == 1 ? "" : "s"); line \(index + 1) should have been \(quoted(line))"
            )
        }
        try expect(printed[index], equals: line, "line \(index + 1) of `\(command)`")
    }
    try expect(
        printed.count == expected.count,
        "`\(command)` should print exactly \(expected.count) lines, but it printed \(printed.count): the extra ones are \(show(Array(printed.dropFirst(expected.count))))"
    )
}

/// Fails with `message` unless `condition` holds.
public func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CheckFailure(message()) }
}

/// A value as a student should see it in a message: text in quotes with escapes, bytes as Python would show them.
func show<Value>(_ value: Value) -> String {
    switch value {
    case let text as String: quoted(text)
    case let bytes as [UInt8]: abbreviatedRepr(bytes)
    case let lines as [String]: "[" + lines.map(quoted).joined(separator: ", ") + "]"
    default: String(describing: value)
    }
}

/// Bytes the checker expected: in quotes when they are text (as the handouts show them), else as Python's repr.
func showText(_ bytes: [UInt8]) -> String {
    guard let text = String(validating: bytes, as: UTF8.self),
        text.unicodeScalars.allSatisfy({ $0.value >= 0x20 || "\n\r\t".unicodeScalars.contains($0) })
    else { return abbreviatedRepr(bytes) }
    return quoted(text)
}

/// "Hello\n" as `"Hello\n"` (SocketKit's quoting), shortened in the middle when long.
func quoted(_ text: String) -> String {
    abbreviated(SocketKit.quoted(text))
}

func abbreviated(_ text: String, limit: Int = 160) -> String {
    guard text.count > limit else { return text }
    return text.prefix(limit / 2) + " … " + text.suffix(limit / 2 - 10)
}

/// `abbreviated(repr(bytes))`, without first turning megabytes into text.
func abbreviatedRepr(_ bytes: [UInt8]) -> String {
    guard bytes.count > 160 else { return abbreviated(repr(bytes)) }
    return abbreviated(repr(bytes.prefix(80)) + " … " + repr(bytes.suffix(70))) + " (\(bytes.count) bytes)"
}
