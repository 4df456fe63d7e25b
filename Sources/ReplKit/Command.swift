/// One command of the REPL, declared once: `help` prints it, the dispatcher runs it, completion reads its usage.
///
///     Command(
///         usage: "close [PEER]",
///         summary: "close a connection or a listener",
///         example: "close echo"
///     ) { session, arguments in try session.close(arguments["PEER"]) }
///
/// A command with parts (`tg connect`, `tg say`, …) declares each as a `Subcommand`, with its own usage, help and
/// action: `help tg` lists them, `help tg connect` explains one.
public struct Command {
    public let name: String
    public let aliases: [String]
    /// One or more usage lines (`set` has one per setting).
    public let usages: [Usage]
    /// One line for the `help` overview.
    public let summary: String
    /// What `help NAME` adds: how it behaves, what to watch for.
    public let details: String
    public let examples: [String]
    /// The parts, one per usage line; empty for a command without parts.
    public let subcommands: [Subcommand]
    /// What each usage line runs, in the order of `usages`.
    let actions: [(Session, Arguments) throws -> Void]

    public init(
        usage: String...,
        aliases: [String] = [],
        summary: String,
        details: String = "",
        example: String...,
        run action: @escaping (Session, Arguments) throws -> Void
    ) {
        self.init(usages: usage, aliases: aliases, summary: summary, details: details, examples: example, run: action)
    }

    public init(
        usages: [String],
        aliases: [String] = [],
        summary: String,
        details: String = "",
        examples: [String],
        run action: @escaping (Session, Arguments) throws -> Void
    ) {
        let parsed = usages.map(Usage.init)
        precondition(!parsed.isEmpty && Set(parsed.map(\.command)).count == 1, "one command per declaration")
        name = parsed[0].command
        self.aliases = aliases
        self.usages = parsed
        self.summary = summary
        self.details = details
        self.examples = examples
        subcommands = []
        actions = Array(repeating: action, count: parsed.count)
    }

    /// A command made of parts: its usages, examples and actions are theirs.
    public init(summary: String, details: String = "", subcommands: [Subcommand]) {
        precondition(Set(subcommands.map(\.usage.command)).count == 1, "one command per declaration")
        name = subcommands[0].usage.command
        aliases = []
        usages = subcommands.map(\.usage)
        self.summary = summary
        self.details = details
        examples = subcommands.flatMap(\.examples)
        self.subcommands = subcommands
        actions = subcommands.map(\.action)
    }

    /// The part that `words` (typed after the command's name) name: `connect` for `tg connect`.
    func subcommand(named words: [String]) -> Subcommand? {
        subcommands.first { !$0.usage.leadingKeywords.isEmpty && $0.usage.leadingKeywords == words }
    }
}

/// One part of a command, declared once like a command: `tg connect URL [as USER] [named FIRSTNAME...]`.
public struct Subcommand {
    public let usage: Usage
    /// One line for `help COMMAND`.
    public let summary: String
    /// What `help COMMAND PART` adds.
    public let details: String
    public let examples: [String]
    let action: (Session, Arguments) throws -> Void

    public init(
        usage: String,
        summary: String,
        details: String = "",
        example: String...,
        run action: @escaping (Session, Arguments) throws -> Void
    ) {
        self.usage = Usage(usage)
        self.summary = summary
        self.details = details
        examples = example
        self.action = action
    }
}

/// Commands that belong together, shown under one heading by `help`. A new area (the Telegram commands of lab 6)
/// is a new group handed to `Session`; nothing else changes.
public struct CommandGroup {
    public let title: String
    public let commands: [Command]
    /// What the placeholders of these commands' usage lines mean, and how to complete them.
    public let placeholders: [Placeholder]

    public init(_ title: String, placeholders: [Placeholder] = [], commands: [Command]) {
        self.title = title
        self.commands = commands
        self.placeholders = placeholders
    }
}

/// A placeholder of usage lines (`PEER`, `PORT`): what it means, for `help`, and how Tab completes it.
public struct Placeholder: Sendable {
    public enum Completion: Sendable {
        case nothing
        case commandNames
        /// The parts of the command named by the word before (`help tg ` offers connect, say, …).
        case partNames
        case peerNames
        /// File names, by libedit's own file name completion.
        case files
        case words([String])
    }

    public let name: String
    public let meaning: String
    public let completion: Completion

    public init(_ name: String, _ meaning: String, completion: Completion = .nothing) {
        self.name = name
        self.meaning = meaning
        self.completion = completion
    }
}

/// A failed command, in one line that says what was wrong and what to try.
public struct ReplError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Ctrl-C while a command waited.
struct Interrupted: Error {}
