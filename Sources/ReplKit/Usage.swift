// A command's usage line is the single declaration of its arguments: help prints it, the dispatcher matches typed
// words against it, and tab completion asks it what may come next.
//
//     connect HOST PORT [as NAME]     HOST, PORT, NAME: values; as: a keyword; [ ]: optional
//     set crlf on|off                 on|off: one of these keywords
//     send TEXT...                    TEXT...: the rest of the line, spaces and all
//     listen unix:PATH                unix:PATH: one word that starts with unix:, the rest of it a value

/// One piece of a usage line.
indirect enum UsageElement: Sendable, Equatable {
    /// A word typed as it stands, or one of several (`on|off`).
    case keyword([String])
    /// One word standing for a value: `HOST`.
    case value(String)
    /// The rest of the line, verbatim: `TEXT...`. At least one word.
    case rest(String)
    /// One word that starts with a fixed prefix, the rest of it a value: `unix:PATH`.
    case prefixed(String, String)
    /// Elements that may be left out: `[as NAME]`.
    case optional([UsageElement])
}

/// A parsed usage line: `connect HOST PORT [as NAME]`.
public struct Usage: Sendable, CustomStringConvertible {
    public let command: String
    let elements: [UsageElement]
    /// Every keyword of the line: a value never matches one, so `shutdown write` is not read as a peer named "write".
    let keywords: Set<String>
    public let description: String

    init(_ text: String) {
        let tokens = text.replacing("[", with: " [ ").replacing("]", with: " ] ")
            .split(separator: " ").map(String.init)
        precondition(!tokens.isEmpty, "an empty usage line")
        var index = 1
        let elements = Self.parseSequence(tokens, &index)
        precondition(index == tokens.count, "unbalanced ] in usage line \(text)")
        command = tokens[0]
        self.elements = elements
        keywords = Self.keywords(in: elements)
        description = text
    }

    /// The words that name a part of the command: `["connect"]` for `tg connect URL`, `["mode"]` for
    /// `set mode raw|lines|frames`; none for `tg` alone.
    var leadingKeywords: [String] {
        guard case .keyword(let choices) = elements.first, choices.count == 1 else { return [] }
        return choices
    }

    /// Whether a word of this usage is `prefix:VALUE` (`unix:PATH`): such a usage is tried before the others.
    var hasPrefixedValue: Bool { !prefixes.isEmpty }

    /// The fixed prefixes of its `prefix:VALUE` words: `["unix:"]`.
    var prefixes: [String] {
        func found(_ elements: [UsageElement]) -> [String] {
            elements.flatMap { element -> [String] in
                switch element {
                case .prefixed(let prefix, _): [prefix]
                case .optional(let inner): found(inner)
                default: []
                }
            }
        }
        return found(elements)
    }

    /// Placeholder names in order of appearance: `["HOST", "PORT", "NAME"]`.
    var placeholders: [String] { Self.placeholders(in: elements) }

    private static func parseSequence(_ tokens: [String], _ index: inout Int) -> [UsageElement] {
        var elements: [UsageElement] = []
        while index < tokens.count, tokens[index] != "]" {
            let token = tokens[index]
            index += 1
            if token == "[" {
                elements.append(.optional(parseSequence(tokens, &index)))
                precondition(index < tokens.count, "unbalanced [ in usage")
                index += 1  // the ]
            } else if token.hasSuffix("...") {
                elements.append(.rest(String(token.dropLast(3))))
            } else if token.first!.isUppercase {
                elements.append(.value(token))
            } else if let colon = token.firstIndex(of: ":"),
                token[token.index(after: colon)...].first?.isUppercase == true
            {
                let name = token.index(after: colon)
                elements.append(.prefixed(String(token[..<name]), String(token[name...])))
            } else {
                elements.append(.keyword(token.split(separator: "|").map(String.init)))
            }
        }
        return elements
    }

    private static func keywords(in elements: [UsageElement]) -> Set<String> {
        elements.reduce(into: []) { found, element in
            switch element {
            case .keyword(let choices): found.formUnion(choices)
            case .optional(let inner): found.formUnion(keywords(in: inner))
            case .value, .rest, .prefixed: break
            }
        }
    }

    private static func placeholders(in elements: [UsageElement]) -> [String] {
        elements.flatMap { element -> [String] in
            switch element {
            case .value(let name), .rest(let name), .prefixed(_, let name): [name]
            case .optional(let inner): placeholders(in: inner)
            case .keyword: []
            }
        }
    }

    // MARK: Matching

    /// The arguments, if `words` (everything after the command name) fit this usage. Where they fit in several
    /// ways, optional parts are taken when they can be and `TEXT...` is kept as short as possible, so
    /// `expect hello timeout 2` waits 2 s for "hello".
    func match(_ words: ArraySlice<Word>, in line: String) -> Arguments? {
        var found: Arguments?
        let walker = Walker(usage: self, line: line)
        _ = walker.walk(elements[...], words, Arguments(line: line)) { left, arguments in
            guard left.isEmpty else { return false }
            found = arguments
            return true
        }
        return found
    }

    /// What may come after `words`: the keywords and placeholders that could take the next word.
    func next(after words: ArraySlice<Word>, in line: String) -> [UsageElement] {
        var wanted: [UsageElement] = []
        let walker = Walker(usage: self, line: line) { element in
            if !wanted.contains(element) { wanted.append(element) }
        }
        _ = walker.walk(elements[...], words, Arguments(line: line)) { _, _ in false }
        return wanted
    }
}

/// Tries the ways a usage can take the words, depth first: optional parts in before out, `TEXT...` short before
/// long.
private struct Walker {
    let usage: Usage
    let line: String
    /// Told of every element that wanted a word when none was left (what completion offers next).
    var wantsWord: (UsageElement) -> Void = { _ in }

    /// Walks `elements` over the front of `words`, then calls `next` with the words left; true stops the search.
    func walk(
        _ elements: ArraySlice<UsageElement>,
        _ words: ArraySlice<Word>,
        _ arguments: Arguments,
        _ next: (ArraySlice<Word>, Arguments) -> Bool
    ) -> Bool {
        guard let element = elements.first else { return next(words, arguments) }
        let after = elements.dropFirst()
        var arguments = arguments
        switch element {
        case .optional(let inner):
            return walk((inner + after)[...], words, arguments, next) || walk(after, words, arguments, next)
        case .keyword(let choices):
            guard let word = words.first else {
                wantsWord(element)
                return false
            }
            guard choices.contains(word.text) else { return false }
            arguments.keywords.append(word.text)
            return walk(after, words.dropFirst(), arguments, next)
        case .value(let name):
            guard let word = words.first else {
                wantsWord(element)
                return false
            }
            guard word.quoted || !usage.keywords.contains(word.text) else { return false }
            arguments.values[name] = word.text
            return walk(after, words.dropFirst(), arguments, next)
        case .prefixed(let prefix, let name):
            guard let word = words.first else {
                wantsWord(element)
                return false
            }
            guard word.text.hasPrefix(prefix), word.text.count > prefix.count else { return false }
            arguments.values[name] = String(word.text.dropFirst(prefix.count))
            return walk(after, words.dropFirst(), arguments, next)
        case .rest(let name):
            guard !words.isEmpty else {
                wantsWord(element)
                return false
            }
            for count in 1...words.count {
                arguments.values[name] = Word.text(of: words.prefix(count), in: line)
                if walk(after, words.dropFirst(count), arguments, next) { return true }
            }
            wantsWord(element)  // the text may go on
            return false
        }
    }
}

/// The values a command was given, by placeholder name, and the keywords typed.
public struct Arguments: Sendable {
    /// The whole line as typed.
    public let line: String
    var values: [String: String] = [:]
    var keywords: [String] = []

    init(line: String) {
        self.line = line
    }

    /// The word (or, for `TEXT...`, the text) typed for a placeholder; nil if that optional part was left out.
    public subscript(_ placeholder: String) -> String? { values[placeholder] }

    /// Whether a keyword was typed: `has("write")`.
    public func has(_ keyword: String) -> Bool { keywords.contains(keyword) }

    /// Which of several keywords was typed: `choice(of: ["on", "off"])`.
    public func choice(of options: [String]) -> String? { keywords.first(where: options.contains) }

    /// A whole number for `placeholder` within `range`, or a one-line error naming what was typed.
    public func integer(_ placeholder: String, in range: ClosedRange<Int>, meaning: String) throws -> Int? {
        guard let text = values[placeholder] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ReplError(
                "\(placeholder) is \(meaning): a whole number from \(range.lowerBound) to \(range.upperBound), not \(asTyped(text))"
            )
        }
        return value
    }

    /// Seconds (fractions allowed) for `placeholder`.
    public func seconds(_ placeholder: String) throws -> Duration? {
        guard let text = values[placeholder] else { return nil }
        guard let value = Double(text), value >= 0, value <= 86_400 else {
            throw ReplError("\(placeholder) is a number of seconds, such as 2 or 0.5, not \(asTyped(text))")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }
}

/// A word of a typed line, and where it stands in the line. `"two words"` in double quotes is one word.
struct Word: Sendable, Equatable {
    /// The word; for a quoted word, what is between the quotes (escapes still in place).
    let text: String
    let range: Range<String.Index>
    let quoted: Bool

    /// Splits a line at white space. A word that starts with `"` runs to the next `"` that ends a word (a `\"`
    /// inside does not end it); without such a quote it is an ordinary word.
    static func split(_ line: String) -> [Word] {
        var words: [Word] = []
        var index = line.startIndex
        while index < line.endIndex {
            if line[index].isWhitespace {
                index = line.index(after: index)
                continue
            }
            if line[index] == "\"", let close = closingQuote(in: line, after: index) {
                let end = line.index(after: close)
                words.append(
                    Word(text: String(line[line.index(after: index)..<close]), range: index..<end, quoted: true)
                )
                index = end
                continue
            }
            let end = line[index...].firstIndex(where: \.isWhitespace) ?? line.endIndex
            words.append(Word(text: String(line[index..<end]), range: index..<end, quoted: false))
            index = end
        }
        return words
    }

    /// The text that `words` span in `line`, as typed; one quoted word gives what is inside its quotes.
    static func text(of words: ArraySlice<Word>, in line: String) -> String {
        if words.count == 1, let word = words.first, word.quoted { return word.text }
        return String(line[words.first!.range.lowerBound..<words.last!.range.upperBound])
    }

    private static func closingQuote(in line: String, after open: String.Index) -> String.Index? {
        var index = line.index(after: open)
        while index < line.endIndex {
            switch line[index] {
            case "\\":
                index = line.index(after: index)
                if index < line.endIndex { index = line.index(after: index) }
                continue
            case "\"":
                let after = line.index(after: index)
                if after == line.endIndex || line[after].isWhitespace { return index }
            default: break
            }
            index = line.index(after: index)
        }
        return nil
    }
}
