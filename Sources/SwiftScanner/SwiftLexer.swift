/// A Swift source file cut into the tokens that matter for finding declarations and their bodies, with the
/// comments set aside.
///
/// Not a full Swift lexer: enough to match braces correctly whatever the code holds. Comments (`//`, nested
/// `/* */`), string literals (single-line, multi-line `"""`, raw `#"…"#`, escapes, interpolations `\( … )` with
/// their own parentheses and strings) and extended regex literals (`#/…/#`) never count as code; the code inside an
/// interpolation does, so a `NotImplemented(…)` written inside a string's `\( … )` is found like any other.
/// Bare `/…/` regex literals are read as division: a pattern holding a brace or a quote must use `#/…/#`.
///
/// Offsets are UTF-8 byte offsets into the source, so that a body can be cut out and put back byte for byte.
public struct SwiftSource: Sendable {
    public let bytes: [UInt8]
    public let tokens: [Token]
    public let comments: [Comment]
    /// Where each line starts: `lineStarts[0] == 0`.
    let lineStarts: [Int]

    public init(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var lexer = Lexer(bytes)
        lexer.lexCode(insideInterpolation: false)
        tokens = lexer.tokens
        comments = lexer.comments
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(index + 1) }
        lineStarts = starts
    }

    /// The 1-based line of a byte offset.
    public func line(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low + 1
    }

    /// The source text of a byte range.
    public func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

public struct Token: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A name or a keyword: `func`, `receive`, `` `default` `` (without its backticks), `$0`.
        case identifier
        case number
        /// A whole string literal, interpolations included; `literal` holds its text parts.
        case string
        /// `@MainActor`, `@discardableResult`.
        case attribute
        /// `#if`, `#selector`, `#filePath`.
        case pound
        /// `{ } ( ) [ ] , ; : .` and any other single character that is not an operator.
        case punctuation
        /// A run of operator characters: `->`, `==`, `?`, `..<`.
        case `operator`
    }

    public let kind: Kind
    /// Byte range in the source.
    public let range: Range<Int>
    public let text: String
    /// The first token on its line.
    public let startsLine: Bool
    /// For a string: its text without quotes, escapes left as written, each interpolation as `\(…)`.
    public let literal: String?
    /// Whitespace or a comment separates this token from the one before.
    public let spaceBefore: Bool

    public var description: String { text }
}

public struct Comment: Sendable, Equatable {
    public let range: Range<Int>
    /// The whole comment, `//` or `/*` included.
    public let text: String
}

struct Lexer {
    let bytes: [UInt8]
    var position = 0
    var tokens: [Token] = []
    var comments: [Comment] = []
    private var atLineStart = true
    private var spaced = false

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private func byte(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private mutating func add(_ kind: Token.Kind, from start: Int, text: String? = nil, literal: String? = nil) {
        tokens.append(
            Token(
                kind: kind,
                range: start..<position,
                text: text ?? String(decoding: bytes[start..<position], as: UTF8.self),
                startsLine: atLineStart,
                literal: literal,
                spaceBefore: spaced
            )
        )
        atLineStart = false
        spaced = false
    }

    /// Reads code up to the end of the file, or, inside an interpolation, up to and past the `)` that closes it.
    mutating func lexCode(insideInterpolation: Bool) {
        var parentheses = 0
        while let c = byte(0) {
            let start = position
            switch c {
            case UInt8(ascii: "\n"):
                position += 1
                atLineStart = true
                spaced = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                position += 1
                spaced = true
            case UInt8(ascii: "/") where byte(1) == UInt8(ascii: "/"):
                while let next = byte(0), next != UInt8(ascii: "\n") { position += 1 }
                comments.append(Comment(range: start..<position, text: text(start..<position)))
                spaced = true
            case UInt8(ascii: "/") where byte(1) == UInt8(ascii: "*"):
                skipBlockComment()
                comments.append(Comment(range: start..<position, text: text(start..<position)))
                spaced = true
            case UInt8(ascii: "\""), UInt8(ascii: "#"):
                var hashes = 0
                while byte(hashes) == UInt8(ascii: "#") { hashes += 1 }
                if byte(hashes) == UInt8(ascii: "\"") {
                    lexString(hashes: hashes)
                } else if hashes > 0 && byte(hashes) == UInt8(ascii: "/") {
                    skipExtendedRegex(hashes: hashes)
                    add(.string, from: start, literal: "")
                } else {
                    position += 1
                    while let next = byte(0), isIdentifierByte(next) { position += 1 }
                    add(.pound, from: start)
                }
            case UInt8(ascii: "`"):
                position += 1
                while let next = byte(0), next != UInt8(ascii: "`"), next != UInt8(ascii: "\n") { position += 1 }
                let name = text(start + 1..<position)
                if byte(0) == UInt8(ascii: "`") { position += 1 }
                add(.identifier, from: start, text: name)
            case UInt8(ascii: "@"):
                position += 1
                while let next = byte(0), isIdentifierByte(next) { position += 1 }
                add(.attribute, from: start)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                while let next = byte(0),
                    isIdentifierByte(next)
                        || (next == UInt8(ascii: ".")
                            && byte(1).map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } == true)
                {
                    position += 1
                }
                add(.number, from: start)
            case _ where isIdentifierStart(c):
                while let next = byte(0), isIdentifierByte(next) { position += 1 }
                add(.identifier, from: start)
            case UInt8(ascii: "("):
                position += 1
                parentheses += 1
                add(.punctuation, from: start)
            case UInt8(ascii: ")"):
                position += 1
                if insideInterpolation && parentheses == 0 { return }
                parentheses -= 1
                add(.punctuation, from: start)
            case UInt8(ascii: "."):
                if byte(1) == UInt8(ascii: ".") {
                    lexOperator()
                } else {
                    position += 1
                    add(.punctuation, from: start)
                }
            case _ where isOperatorByte(c):
                lexOperator()
            default:
                position += 1
                add(.punctuation, from: start)
            }
        }
    }

    private mutating func lexOperator() {
        let start = position
        while let next = byte(0), isOperatorByte(next) || next == UInt8(ascii: ".") {
            // A comment right after an operator (`x+// why`) is a comment, not more operator.
            if next == UInt8(ascii: "/") && (byte(1) == UInt8(ascii: "/") || byte(1) == UInt8(ascii: "*"))
                && position > start
            {
                break
            }
            position += 1
        }
        add(.operator, from: start)
    }

    /// `/* … */`, nested ones included; an unterminated comment runs to the end of the file.
    private mutating func skipBlockComment() {
        var depth = 0
        while position < bytes.count {
            if byte(0) == UInt8(ascii: "/") && byte(1) == UInt8(ascii: "*") {
                depth += 1
                position += 2
            } else if byte(0) == UInt8(ascii: "*") && byte(1) == UInt8(ascii: "/") {
                depth -= 1
                position += 2
                if depth == 0 { return }
            } else {
                position += 1
            }
        }
    }

    /// `#/ … /#` (with as many `#` on each side): its content is never code.
    private mutating func skipExtendedRegex(hashes: Int) {
        position += hashes + 1
        while position < bytes.count {
            if byte(0) == UInt8(ascii: "/") && (1...hashes).allSatisfy({ byte($0) == UInt8(ascii: "#") }) {
                position += 1 + hashes
                return
            }
            position += 1
        }
    }

    /// A string literal starting at `position`, after `hashes` `#` signs: `"…"`, `"""…"""`, `#"…"#`. The code in
    /// its interpolations is lexed as tokens of their own, placed after the string's token.
    private mutating func lexString(hashes: Int) {
        let start = position
        let startsLine = atLineStart
        let spaceBefore = spaced
        let multiline =
            byte(hashes) == UInt8(ascii: "\"") && byte(hashes + 1) == UInt8(ascii: "\"")
            && byte(hashes + 2) == UInt8(ascii: "\"")
        let quotes = multiline ? 3 : 1
        position += hashes + quotes
        // The string's own token goes first; interpolations add theirs after it.
        let slot = tokens.count
        tokens.append(
            Token(
                kind: .string,
                range: start..<start,
                text: "",
                startsLine: startsLine,
                literal: nil,
                spaceBefore: spaceBefore
            )
        )
        var literal: [UInt8] = []

        while let c = byte(0) {
            if c == UInt8(ascii: "\\") && (0..<hashes).allSatisfy({ byte(1 + $0) == UInt8(ascii: "#") }) {
                let afterEscape = 1 + hashes
                if byte(afterEscape) == UInt8(ascii: "(") {
                    position += afterEscape + 1
                    literal += Array("\\(…)".utf8)
                    atLineStart = false
                    spaced = false
                    lexCode(insideInterpolation: true)
                    continue
                }
                // Any other escape: the backslash and the character after it (`\"`, `\\`, `\n`, `\u{…}` in part).
                let end = min(bytes.count, position + afterEscape + 1)
                literal += bytes[position..<end]
                position = end
                continue
            }
            if c == UInt8(ascii: "\"") && closesString(quotes: quotes, hashes: hashes) {
                position += quotes + hashes
                break
            }
            if c == UInt8(ascii: "\n") && !multiline { break }  // unterminated: end it with the line
            literal.append(c)
            position += 1
        }
        var content = String(decoding: literal, as: UTF8.self)
        if multiline {
            // The text starts on the line after the opening quotes.
            if content.hasPrefix("\n") { content.removeFirst() }
        }
        tokens[slot] = Token(
            kind: .string,
            range: start..<position,
            text: text(start..<position),
            startsLine: startsLine,
            literal: content,
            spaceBefore: spaceBefore
        )
        atLineStart = false
        spaced = false
    }

    /// At `position`: the quotes and `#` signs that end the string.
    private func closesString(quotes: Int, hashes: Int) -> Bool {
        (0..<quotes).allSatisfy { byte($0) == UInt8(ascii: "\"") }
            && (0..<hashes).allSatisfy { byte(quotes + $0) == UInt8(ascii: "#") }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

private func isIdentifierStart(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
}

private func isIdentifierByte(_ byte: UInt8) -> Bool {
    isIdentifierStart(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

private func isOperatorByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "!"),
        UInt8(ascii: "*"), UInt8(ascii: "%"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"),
        UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "~"), UInt8(ascii: "?"):
        true
    default:
        false
    }
}
