/// A declaration with a body: a function, initializer, deinitializer, subscript, computed property (or one with
/// observers), accessor, or a type (whose body holds the others).
public struct Declaration: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case function, initializer, deinitializer, `subscript`, property, accessor, type
    }

    public let kind: Kind
    /// The name within its scope, Swift style: `receive(_:)`, `init(name:age:)`, `subscript(_:)`, `count`, `get`,
    /// `EchoLoop`.
    public let name: String
    /// The names of the declarations around it, outermost first: `["EchoLoop"]`, `["Tally", "count"]`.
    public let scope: [String]
    /// The declaration from its keyword to its body, attributes and modifiers left out, with one space wherever the
    /// source had any whitespace or comment: `func receive(_ conn: Connection) throws`.
    public let header: String
    /// The bytes between the braces.
    public let body: Range<Int>
    /// The 1-based line of its keyword.
    public let line: Int

    /// `EchoLoop.receive(_:)`.
    public var qualifiedName: String { (scope + [name]).joined(separator: ".") }

    /// Code that runs, rather than a type's body: what a starter leaves for the student to write.
    public var hasCode: Bool { kind != .type }

    public var description: String { "\(qualifiedName) (line \(line))" }
}

extension SwiftSource {
    /// Every declaration with a body, in the order their bodies start.
    public var declarations: [Declaration] {
        var parser = DeclarationParser(self)
        parser.scan(from: 0, to: tokens.count, scope: [])
        return parser.found.sorted { $0.body.lowerBound < $1.body.lowerBound }
    }
}

/// Keywords and modifiers that can begin a declaration: a line starting with one ends a declaration without a body
/// (a protocol's requirement) that came before it.
private let declarationStarts: Set<String> = [
    "func", "var", "let", "init", "deinit", "subscript", "case", "class", "struct", "enum", "protocol", "extension",
    "actor", "typealias", "associatedtype", "import", "static", "public", "private", "fileprivate", "internal", "open",
    "final", "override", "mutating", "nonmutating", "convenience", "required", "lazy", "weak", "unowned", "dynamic",
    "nonisolated", "indirect", "package", "prefix", "postfix", "infix", "operator", "precedencegroup", "macro",
]

private let accessorKeywords: Set<String> = [
    "get", "set", "willSet", "didSet", "_read", "_modify", "read", "modify", "unsafeAddress", "unsafeMutableAddress",
    "init",
]

/// Tokens after which `var` is a binding in a condition or pattern (`if var x {`), never a property.
private let patternContexts: Set<String> = ["if", "guard", "while", "case", "for", "catch", ",", "(", "."]

private let typeKeywords: Set<String> = ["class", "struct", "enum", "actor", "extension", "protocol"]

struct DeclarationParser {
    let source: SwiftSource
    let tokens: [Token]
    /// For each `{`, `(` and `[`: the index of the token that closes it.
    private var closing: [Int: Int] = [:]
    private(set) var found: [Declaration] = []

    init(_ source: SwiftSource) {
        self.source = source
        tokens = source.tokens
        var open: [Int] = []
        let pairs: [String: String] = ["}": "{", ")": "(", "]": "["]
        for (index, token) in tokens.enumerated() where token.kind == .punctuation {
            switch token.text {
            case "{", "(", "[":
                open.append(index)
            case "}", ")", "]":
                // A stray closer (broken source) is skipped; an unclosed opener is dropped with its inner ones.
                guard let match = open.lastIndex(where: { tokens[$0].text == pairs[token.text] }) else { continue }
                closing[open[match]] = index
                open.removeSubrange(match...)
            default:
                break
            }
        }
    }

    private func isPunctuation(_ index: Int, _ text: String) -> Bool {
        index < tokens.count && tokens[index].kind == .punctuation && tokens[index].text == text
    }

    private func isIdentifier(_ index: Int, _ text: String? = nil) -> Bool {
        index >= 0 && index < tokens.count && tokens[index].kind == .identifier
            && (text == nil || tokens[index].text == text)
    }

    /// Looks for declarations among `tokens[start..<end]`.
    mutating func scan(from start: Int, to end: Int, scope: [String]) {
        var index = start
        while index < end {
            let token = tokens[index]
            if token.kind == .punctuation && token.text == "{" {
                // A closure or a statement's block: declarations can hide in it (a local function).
                let close = closing[index] ?? end
                scan(from: index + 1, to: close, scope: scope)
                index = close + 1
                continue
            }
            guard token.kind == .identifier, !(index > 0 && isPunctuation(index - 1, ".")) else {
                index += 1
                continue
            }
            let next: Int? =
                switch token.text {
                case "func", "init", "deinit", "subscript": function(at: index, end: end, scope: scope)
                case "var": property(at: index, end: end, scope: scope)
                case _ where typeKeywords.contains(token.text): type(at: index, end: end, scope: scope)
                default: nil
                }
            index = next ?? index + 1
        }
    }

    // MARK: Functions, initializers, subscripts

    private mutating func function(at keyword: Int, end: Int, scope: [String]) -> Int? {
        let text = tokens[keyword].text
        let after = keyword + 1
        guard after < end else { return nil }
        switch text {
        case "init":
            guard
                isPunctuation(after, "(") || ["?", "!"].contains(tokens[after].text)
                    || tokens[after].text.hasPrefix("<")
            else { return nil }
        case "deinit":
            guard isPunctuation(after, "{") else { return nil }
        case "subscript":
            guard isPunctuation(after, "(") || tokens[after].text.hasPrefix("<") else { return nil }
        default:
            guard [.identifier, .operator].contains(tokens[after].kind) else { return nil }
        }
        guard let open = bodyStart(after: keyword, end: end), let close = closing[open] else { return nil }
        let name: String =
            switch text {
            case "func": tokens[after].text + "(" + labels(after: after, end: open) + ")"
            case "deinit": "deinit"
            default: text + "(" + labels(after: keyword, end: open) + ")"
            }
        let kind: Declaration.Kind =
            switch text {
            case "func": .function
            case "init": .initializer
            case "deinit": .deinitializer
            default: .subscript
            }
        record(kind, name: name, scope: scope, keyword: keyword, open: open, close: close)
        if kind == .subscript && isAccessorList(open) {
            accessors(open: open, close: close, scope: scope + [name])
        } else {
            scan(from: open + 1, to: close, scope: scope + [name])
        }
        return close + 1
    }

    /// The `{` that opens the body of the declaration at `keyword`, or nil when it has none (a protocol's
    /// requirement): parentheses and brackets are skipped whole, and the declaration ends at `}`, `;` or a line
    /// that starts another declaration.
    private func bodyStart(after keyword: Int, end: Int) -> Int? {
        var index = keyword + 1
        while index < end {
            let token = tokens[index]
            if token.kind == .punctuation {
                switch token.text {
                case "{": return index
                case "}", ";": return nil
                case "(", "[":
                    guard let close = closing[index] else { return nil }
                    index = close + 1
                    continue
                default: break
                }
            }
            if token.startsLine && startsDeclaration(token) { return nil }
            index += 1
        }
        return nil
    }

    private func startsDeclaration(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier: declarationStarts.contains(token.text)
        case .attribute, .pound: true
        default: false
        }
    }

    /// The argument labels of the parameter list after `start` (the name, or generic parameters, come first):
    /// `name:age:`, `_:`.
    private func labels(after start: Int, end: Int) -> String {
        guard let open = (start + 1..<end).first(where: { isPunctuation($0, "(") }), let close = closing[open] else {
            return ""
        }
        var labels = ""
        var index = open + 1
        var atParameterStart = true
        while index < close {
            let token = tokens[index]
            if token.kind == .punctuation && (token.text == "(" || token.text == "[" || token.text == "{") {
                index = (closing[index] ?? close) + 1
                atParameterStart = false
                continue
            }
            if token.kind == .punctuation && token.text == "," {
                atParameterStart = true
            } else if atParameterStart {
                // A parameter is `label name: Type` or `name: Type`; a comma inside `Dictionary<K, V>` is not
                // followed by that.
                let isName = { (i: Int) in self.isIdentifier(i) }
                if isName(index)
                    && (isPunctuation(index + 1, ":") || (isName(index + 1) && isPunctuation(index + 2, ":")))
                {
                    labels += token.text + ":"
                }
                atParameterStart = false
            }
            index += 1
        }
        return labels
    }

    // MARK: Properties and accessors

    private mutating func property(at keyword: Int, end: Int, scope: [String]) -> Int? {
        if keyword > 0 && patternContexts.contains(tokens[keyword - 1].text) { return nil }
        guard isIdentifier(keyword + 1) else { return nil }  // `var (a, b) = …` has no body
        let name = tokens[keyword + 1].text
        var index = keyword + 2
        var initialized = false
        var angles = 0
        while index < end {
            let token = tokens[index]
            if token.startsLine && !(token.kind == .punctuation && token.text == "{" && !initialized) {
                // A new line ends the declaration, unless it continues an initializer's expression.
                let continues =
                    initialized && (token.kind == .operator || (token.kind == .punctuation && token.text == "."))
                if !continues { return nil }
            }
            switch (token.kind, token.text) {
            case (.punctuation, "("), (.punctuation, "["):
                guard let close = closing[index] else { return nil }
                index = close + 1
                continue
            case (.punctuation, "{"):
                guard let close = closing[index] else { return nil }
                guard !initialized || isAccessorList(index) else {
                    index = close + 1  // a closure in the initializer
                    continue
                }
                record(.property, name: name, scope: scope, keyword: keyword, open: index, close: close)
                if isAccessorList(index) {
                    accessors(open: index, close: close, scope: scope + [name])
                } else {
                    scan(from: index + 1, to: close, scope: scope + [name])
                }
                return close + 1
            case (.punctuation, "}"), (.punctuation, ";"):
                return nil
            case (.punctuation, ","):
                if angles == 0 { return nil }  // `var a = 1, b = 2`
            case (.operator, let text):
                if text.hasPrefix("=") && text != "==" && text != "===" {
                    initialized = true
                } else if !initialized && text != "->" {
                    angles += text.filter { $0 == "<" }.count - text.filter { $0 == ">" }.count
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// A property's or subscript's body that lists accessors (`get { … } set { … }`, `didSet { … }`) rather than
    /// being the getter itself.
    private func isAccessorList(_ open: Int) -> Bool {
        var index = open + 1
        while index < tokens.count
            && (tokens[index].kind == .attribute
                || ["mutating", "nonmutating", "__consuming"].contains(tokens[index].text))
        {
            index += 1
        }
        guard isIdentifier(index), accessorKeywords.contains(tokens[index].text), index + 1 < tokens.count else {
            return false
        }
        let next = tokens[index + 1]
        return (next.kind == .punctuation && ["{", "(", "}"].contains(next.text))
            || (next.kind == .identifier && (["async", "throws"] + accessorKeywords).contains(next.text))
    }

    private mutating func accessors(open: Int, close: Int, scope: [String]) {
        var index = open + 1
        while index < close {
            guard isIdentifier(index), accessorKeywords.contains(tokens[index].text) else {
                index += 1
                continue
            }
            let keyword = index
            var body = keyword + 1
            if isPunctuation(body, "("), let parameter = closing[body] { body = parameter + 1 }  // set(newValue)
            while isIdentifier(body, "async") || isIdentifier(body, "throws") { body += 1 }
            guard isPunctuation(body, "{"), let end = closing[body], end < close else {
                index = body
                continue
            }
            record(.accessor, name: tokens[keyword].text, scope: scope, keyword: keyword, open: body, close: end)
            scan(from: body + 1, to: end, scope: scope + [tokens[keyword].text])
            index = end + 1
        }
    }

    // MARK: Types

    private mutating func type(at keyword: Int, end: Int, scope: [String]) -> Int? {
        // `class func`, `class var`: a modifier, not a type.
        guard isIdentifier(keyword + 1), !declarationStarts.contains(tokens[keyword + 1].text) else { return nil }
        var name = tokens[keyword + 1].text
        var index = keyword + 2
        while isPunctuation(index, "."), isIdentifier(index + 1) {  // extension Outer.Inner
            name += "." + tokens[index + 1].text
            index += 2
        }
        guard let open = bodyStart(after: keyword, end: end), let close = closing[open] else { return nil }
        record(.type, name: name, scope: scope, keyword: keyword, open: open, close: close)
        scan(from: open + 1, to: close, scope: scope + [name])
        return close + 1
    }

    // MARK: Recording

    private mutating func record(
        _ kind: Declaration.Kind,
        name: String,
        scope: [String],
        keyword: Int,
        open: Int,
        close: Int
    ) {
        found.append(
            Declaration(
                kind: kind,
                name: name,
                scope: scope,
                header: code(keyword..<open),
                body: tokens[open].range.upperBound..<tokens[close].range.lowerBound,
                line: source.line(of: tokens[keyword].range.lowerBound)
            )
        )
    }

    /// The tokens of `range` as one line: one space where the source had any, none where it had none. The tokens of
    /// a string's interpolations are part of the string's own text already.
    func code(_ range: Range<Int>) -> String {
        var text = ""
        var coveredUpTo = 0
        for token in tokens[range] where token.range.lowerBound >= coveredUpTo {
            if !text.isEmpty && token.spaceBefore { text += " " }
            text +=
                token.kind == .identifier && source.bytes[token.range.lowerBound] == UInt8(ascii: "`")
                ? "`\(token.text)`" : token.text
            coveredUpTo = token.range.upperBound
        }
        return text
    }
}
