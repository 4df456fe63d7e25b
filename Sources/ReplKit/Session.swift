import SocketKit

/// One REPL session: its peers, its settings and its command table. Drivers feed it lines (`run`) and let it serve
/// the network between them (`pump`); it reports everything through its `Console`. Single-threaded by design.
public final class Session {
    public let console: any Console
    let groups: [CommandGroup]
    let framings: [any Framing]
    private var commandsByName: [String: Command] = [:]
    private var placeholdersByName: [String: Placeholder] = [:]

    var peers: [Peer] = []
    /// Where send, recv and expect go.
    var current: Peer?
    /// The Telegram user this session plays (`tg connect`), if any.
    var telegram: TelegramUser?
    /// What `record` keeps for `save`; nil when not recording.
    var recording: Recorder?
    /// Ports to use instead of those a script names (`--map-port 65432=40123`): a saved check names the lecture's
    /// port, and `make check` gives the program it talks to another.
    public var portMap: [Int: Int] = [:]
    /// The kit's folder, where `save` finds `Labs/`: where labrepl was started (`make repl` starts it there).
    var kitDirectory = "."

    // Settings (`set`).
    var crlf = false
    var hexdump = false
    var framing: any Framing

    /// How long recv and expect wait when not told.
    let defaultWait = Duration.seconds(5)
    /// How long connect waits for an answer, and send for a peer that has stopped reading.
    let patience = Duration.seconds(10)

    /// `quit` (or Ctrl-D) was asked for.
    public internal(set) var quitRequested = false
    /// SIGTERM or SIGHUP arrived: the drivers close everything and exit.
    public internal(set) var terminateRequested = false
    /// Ctrl-C arrived and nothing has taken it yet: a waiting command ends "interrupted" and an idle prompt clears
    /// its line.
    public var interruptPending = false
    /// How many commands Ctrl-C has interrupted (a script stops at the first).
    public internal(set) var interruptions = 0
    /// Called when the terminal window changes size (the line editor redraws).
    public var onResize: () -> Void = {}

    /// - Parameters:
    ///   - groups: the commands; the standard ones unless given.
    ///   - framings: what `set mode` offers; the first is the mode a session starts in.
    public init(console: any Console, groups: [CommandGroup]? = nil, framings: [any Framing] = Framings.standard) {
        self.console = console
        self.framings = framings
        framing = framings[0]
        self.groups = groups ?? CommandGroup.standard(framings: framings)
        for group in self.groups {
            for command in group.commands {
                for name in [command.name] + command.aliases {
                    precondition(commandsByName[name] == nil, "two commands named \(name)")
                    commandsByName[name] = command
                }
            }
            for placeholder in group.placeholders { placeholdersByName[placeholder.name] = placeholder }
        }
    }

    /// Every command, in help order.
    public var commands: [Command] { groups.flatMap(\.commands) }

    /// The prompt, naming the current peer: `labrepl(echo)> `.
    public var prompt: String { current.map { "labrepl(\($0.name))> " } ?? "labrepl> " }

    // MARK: Running commands

    /// Runs one line. Blank lines and `# comments` do nothing. Returns false, having shown a one-line error, if the
    /// command failed.
    @discardableResult
    public func run(_ line: String) -> Bool {
        let words = Word.split(line)
        guard let first = words.first, !first.text.hasPrefix("#") else { return true }
        guard let command = commandsByName[first.text] else {
            console.show(unknownCommand(first.text, line: line), as: .error)
            return false
        }
        // A usage with a fixed prefix (`listen unix:PATH`) is tried first: `listen PORT` would take any word.
        let order =
            command.usages.indices.filter { command.usages[$0].hasPrefixedValue }
            + command.usages.indices.filter { !command.usages[$0].hasPrefixedValue }
        let matches = order.lazy.compactMap { index in
            command.usages[index].match(words.dropFirst(), in: line).map { (index, $0) }
        }
        guard let (index, arguments) = matches.first else {
            console.show(usageError(command, words: words.dropFirst().map(\.text)), as: .error)
            return false
        }
        do {
            try command.actions[index](self, arguments)
            return true
        } catch let error as ReplError {
            console.show(error.description, as: .error)
        } catch is Interrupted {
            interruptions += 1
            console.show("\(command.name): interrupted", as: .error)
        } catch {
            console.show("\(command.name): \(error)", as: .error)
        }
        return false
    }

    /// `usage: …` for a line that fits none of the command's usages — only the part named, if one is: a mistyped
    /// `tg connect` shows tg connect's usage, not all of tg's.
    private func usageError(_ command: Command, words: [String]) -> String {
        let part = command.subcommands.first {
            !$0.usage.leadingKeywords.isEmpty && words.first == $0.usage.leadingKeywords[0]
        }
        var usages = part.map { [$0.usage] } ?? command.usages
        // `connect 127.0.0.1` is about TCP: `connect unix:PATH` is shown only to a line that has a unix: word.
        let prefixed = usages.filter(\.hasPrefixedValue)
        if !prefixed.isEmpty && prefixed.count < usages.count {
            let typedPrefix = prefixed.contains { usage in
                words.contains { usage.prefixes.contains(where: $0.hasPrefix) }
            }
            usages = usages.filter { $0.hasPrefixedValue == typedPrefix }
        }
        let examples = part?.examples ?? command.examples
        return "usage: " + usages.map(\.description).joined(separator: "  or  ")
            + (examples.first.map { " — for example: \($0)" } ?? "")
    }

    private func unknownCommand(_ name: String, line: String) -> String {
        let names = commands.map(\.name)
        let extensions = names.filter { $0.hasPrefix(name.lowercased()) }
        // A slip of one letter in four, or the start of exactly one command.
        let close = names.filter { editDistance($0, name.lowercased()) <= max(1, name.count / 4) }
        if let guess = close.first ?? (extensions.count == 1 ? extensions.first : nil) {
            return "unknown command \(asTyped(name)) — did you mean \(guess)? (help lists every command)"
        }
        let typed = displayable(Array(line.utf8), escapingBackslash: false)
        return
            "unknown command \(asTyped(name)) — to send that text, type: sendline \(typed) (help lists every command)"
    }

    // MARK: Completion

    public enum Completions: Equatable {
        case words([String])
        /// File names: the line editor's own completion does those.
        case files
    }

    /// What Tab offers for the word starting with `prefix`, after `lineBefore` (the line up to that word).
    public func completions(after lineBefore: String, prefix: String) -> Completions {
        let words = Word.split(lineBefore)
        guard let first = words.first else {
            return .words(commands.map(\.name).filter { $0.hasPrefix(prefix) })
        }
        guard let command = commandsByName[first.text] else { return .words([]) }
        var offers: [String] = []
        var files = false
        for usage in command.usages {
            for element in usage.next(after: words.dropFirst(), in: lineBefore) {
                switch element {
                case .keyword(let choices): offers += choices
                case .prefixed(let prefix, _): offers.append(prefix)
                case .value(let name), .rest(let name):
                    switch placeholdersByName[name]?.completion ?? .nothing {
                    case .nothing: break
                    case .commandNames: offers += commands.map(\.name)
                    case .partNames:
                        let named = words.last.flatMap { commandsByName[$0.text] }
                        offers += named?.subcommands.flatMap(\.usage.leadingKeywords) ?? []
                    case .peerNames: offers += peers.map(\.name)
                    case .files: files = true
                    case .words(let words): offers += words
                    }
                case .optional: break  // never reported: the walk goes inside
                }
            }
        }
        var seen = Set<String>()
        let matching = offers.filter { $0.hasPrefix(prefix) && seen.insert($0).inserted }
        return files && matching.isEmpty ? .files : .words(matching)
    }

    // MARK: Help

    func helpOverview() -> String {
        var lines: [String] = []
        let width = commands.flatMap(\.usages).map(\.description.count).max() ?? 0
        for group in groups {
            lines.append(group.title)
            for command in group.commands {
                for (index, usage) in command.usages.enumerated() {
                    let summary = index == 0 ? "  " + command.summary : ""
                    lines.append(("  " + usage.description.padding(width) + summary).trimmingTrailingSpaces())
                }
            }
        }
        lines.append("help COMMAND explains one, with an example; help tg say, one part of a command. Tab completes")
        lines.append("commands, options and peer names;")
        lines.append("↑ recalls earlier lines; Ctrl-C stops a waiting command; Ctrl-D or quit leaves.")
        return lines.joined(separator: "\n")
    }

    /// `help NAME`: the command's usage, what it does, its placeholders and examples. `help NAME PART` (`help tg
    /// connect`): the same for one part of a command; `help NAME` of a command with parts lists them.
    func help(for name: String, part: String? = nil) throws -> String {
        guard let command = commandsByName[name] else {
            throw ReplError("no command \(asTyped(name)) — help lists every command")
        }
        if let part {
            guard let subcommand = command.subcommand(named: [part]) else {
                let parts = command.subcommands.flatMap(\.usage.leadingKeywords)
                throw ReplError(
                    parts.isEmpty
                        ? "\(command.name) has no parts — help \(command.name) explains all of it"
                        : "\(command.name) has no part \(asTyped(part)) — its parts: \(parts.joined(separator: ", "))"
                )
            }
            return helpText(
                usages: [subcommand.usage],
                summary: subcommand.summary,
                details: subcommand.details,
                examples: subcommand.examples
            )
        }
        guard !command.subcommands.isEmpty else {
            return helpText(
                usages: command.usages,
                aliases: command.aliases,
                summary: command.summary,
                details: command.details,
                examples: command.examples
            )
        }
        // The parts, each with its line; the details; how to learn more.
        let width = command.usages.map(\.description.count).max()!
        var lines = ["\(command.name): \(command.summary)"]
        lines += command.subcommands.map { "  " + $0.usage.description.padding(width) + "  " + $0.summary }
        if !command.details.isEmpty {
            lines += command.details.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        if let part = command.subcommands.lazy.flatMap(\.usage.leadingKeywords).first {
            lines.append("  help \(command.name) \(part) explains one part, with an example")
        }
        return lines.joined(separator: "\n")
    }

    private func helpText(
        usages: [Usage],
        aliases: [String] = [],
        summary: String,
        details: String,
        examples: [String]
    ) -> String {
        var lines = usages.map(\.description)
        if !aliases.isEmpty { lines.append("  (also: \(aliases.joined(separator: ", ")))") }
        lines.append("  " + summary)
        if !details.isEmpty {
            lines += details.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        var named = Set<String>()
        let placeholders = usages.flatMap(\.placeholders).filter { named.insert($0).inserted }
            .compactMap { placeholdersByName[$0] }
        if !placeholders.isEmpty {
            let width = placeholders.map(\.name.count).max()!
            lines += placeholders.map { "  " + $0.name.padding(width) + "  " + $0.meaning }
        }
        lines += examples.map { "  example: " + $0 }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The string followed by spaces up to `width` characters.
    func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}

/// Levenshtein distance, for "did you mean".
func editDistance(_ a: String, _ b: String) -> Int {
    let b = Array(b)
    var row = Array(0...b.count)
    for (i, x) in a.enumerated() {
        var diagonal = row[0]
        row[0] = i + 1
        for (j, y) in b.enumerated() {
            let substitution = diagonal + (x == y ? 0 : 1)
            diagonal = row[j + 1]
            row[j + 1] = min(substitution, row[j + 1] + 1, row[j] + 1)
        }
    }
    return row[b.count]
}
