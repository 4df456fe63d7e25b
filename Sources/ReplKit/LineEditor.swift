@preconcurrency import CEdit
import LabSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Interactive mode: libedit's callback interface driven by the session's event loop, so that key presses and
/// peers' data are served by one thread (libedit is not thread-safe). A line from a peer that arrives while the user
/// types is printed above the prompt, and the prompt and the half-typed line are redrawn intact.
final class LineEditor {
    let session: Session
    let console: TerminalConsole
    let history: HistoryFile
    /// What Tab offers, for the generator libedit calls once per candidate.
    private var candidates: [String] = []
    private var nextCandidate = 0

    /// libedit's callbacks are C functions that cannot capture: they find the editor here. Set and read only on
    /// the one thread that runs the loop (and so calls into libedit).
    nonisolated(unsafe) private static var active: LineEditor?

    init() {
        console = TerminalConsole()
        session = Session(console: console)
        history = HistoryFile(path: homeDirectory().map { $0 + "/.labrepl_history" })
    }

    static func run(portMap: [Int: Int] = [:]) -> Int32 {
        let editor = LineEditor()
        editor.session.portMap = portMap
        active = editor
        defer { active = nil }
        return editor.run()
    }

    private func run() -> Int32 {
        cedit_set_program_name(strdup("labrepl"))  // kept for the life of the process, as libedit expects
        cedit_leave_signals_to_program()  // our SignalPipe takes Ctrl-C, so it can interrupt a waiting command
        rl_attempted_completion_function = { text, start, _ in LineEditor.active?.complete(text, start: start) }
        session.onResize = { cedit_resize_terminal() }
        console.prompt = { [unowned session] in session.prompt }

        console.show("labrepl — help lists the commands; Tab completes; Ctrl-D leaves.", as: .output)
        if let warning = history.load() { console.show(warning, as: .event) }
        showPrompt()
        while !session.quitRequested && !session.terminateRequested {
            let result = session.pump(timeout: nil, input: STDIN_FILENO)
            // A closed terminal window keeps standard input "readable" for ever; libedit would read nothing from
            // it, again and again.
            if result.inputHungUp { break }
            if session.interruptPending, !session.terminateRequested {
                session.interruptPending = false
                discardLine()
            }
            if result.inputReady { rl_callback_read_char() }
        }
        if console.atPrompt { writeOut("\n", to: .output) }
        rl_callback_handler_remove()  // gives the terminal back as it was
        console.atPrompt = false
        session.closeAll()
        return session.terminateRequested ? 143 : 0
    }

    /// Installing the handler prints the prompt (libedit shows it only on the next key press otherwise).
    private func showPrompt() {
        rl_callback_handler_install(session.prompt) { line in LineEditor.active?.accept(line) }
        console.atPrompt = true
    }

    /// libedit has a whole line (nil: Ctrl-D on an empty line).
    private func accept(_ line: UnsafeMutablePointer<CChar>?) {
        console.atPrompt = false
        guard let line else {
            writeOut("\n", to: .output)
            session.quitRequested = true
            return
        }
        let text = String(cString: line)
        free(line)
        if let warning = history.add(text) { console.show(warning, as: .event) }
        session.run(text)
        if !session.quitRequested { showPrompt() }
    }

    /// Ctrl-C at the prompt: like a shell, drop the half-typed line and start a new one. libedit's readline layer
    /// cannot empty its line (`rl_replace_line("")` does nothing, `rl_delete_text` stops short of the end), so the
    /// editor is started afresh, and its history read back from the file that every line is saved to.
    private func discardLine() {
        writeOut("^C\n", to: .output)
        rl_callback_handler_remove()
        rl_initialize()
        history.reload()
        showPrompt()
    }

    // MARK: Completion

    private func complete(
        _ text: UnsafePointer<CChar>?,
        start: Int32
    ) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        let prefix = text.map { String(cString: $0) } ?? ""
        let line = rl_line_buffer.map { String(cString: $0) } ?? ""
        let before = String(String.UnicodeScalarView(line.unicodeScalars.prefix(Int(start))))
        switch session.completions(after: before, prefix: prefix) {
        case .files:
            rl_attempted_completion_over = 0  // libedit falls back to completing file names
            return nil
        case .words(let words):
            rl_attempted_completion_over = 1
            guard !words.isEmpty else { return nil }
            candidates = words
            return rl_completion_matches(text) { _, state in LineEditor.active?.candidate(state) }
        }
    }

    /// The next candidate, `strdup`ed for libedit to free; nil when there are no more.
    private func candidate(_ state: Int32) -> UnsafeMutablePointer<CChar>? {
        if state == 0 { nextCandidate = 0 }
        guard nextCandidate < candidates.count else { return nil }
        defer { nextCandidate += 1 }
        return strdup(candidates[nextCandidate])
    }
}

/// The terminal: colours by kind of output, and lines that arrive at the prompt printed above it, with the prompt
/// and the half-typed line redrawn.
final class TerminalConsole: Console {
    /// Whether libedit is showing the prompt (rather than a command running).
    var atPrompt = false
    var prompt: () -> String = { "labrepl> " }
    private let colours = getenv("NO_COLOR") == nil && getenv("TERM").map { String(cString: $0) != "dumb" } ?? false

    func show(_ text: String, as kind: OutputKind) {
        let painted = colours ? Self.colour(kind) + text + "\u{1B}[0m" : text
        guard atPrompt else {
            // Our lines always leave the cursor at the start of a line; "\r" matters only after the terminal
            // echoed a Ctrl-C as "^C", which "recv: interrupted" then covers.
            writeOut("\r", painted, "\n", to: kind == .error ? StandardStream.error : .output)
            return
        }
        // Clear the prompt's line, print above it, and have libedit draw the prompt and the typed text again.
        writeOut("\r\u{1B}[K", painted, "\n", to: .output)
        rl_set_prompt(prompt())  // the current peer may have changed (a client connected)
        rl_forced_update_display()
    }

    private static func colour(_ kind: OutputKind) -> String {
        switch kind {
        case .output: "\u{1B}[0m"
        case .received: "\u{1B}[36m"  // cyan
        case .sent: "\u{1B}[32m"  // green
        case .event: "\u{1B}[33m"  // yellow
        case .error: "\u{1B}[31m"  // red
        }
    }
}

/// The history kept across runs in ~/.labrepl_history.
struct HistoryFile {
    let path: String?
    static let limit: Int32 = 1000

    /// Reads the file into libedit. A file libedit cannot read is moved aside and a new one started; the returned
    /// warning says so. Nothing about history ever stops the REPL.
    func load() -> String? {
        stifle_history(Self.limit)
        var status = stat()
        // No file yet, or an empty one: nothing to read (the first line typed writes a proper file).
        guard let path, stat(path, &status) == 0, status.st_size > 0 else { return nil }
        guard read_history(path) != 0 else { return nil }
        // libedit's files start with a _HiStOrY_V2_ line; GNU readline's, or one edited by hand, do not.
        clear_history()
        let aside = path + ".bad"
        guard rename(path, aside) == 0 else {
            return
                "history: cannot read \(shown(path)) (\(systemMessage(errno))); this session's lines will not be kept"
        }
        return "history: \(shown(path)) is not a libedit history file (its first line is not _HiStOrY_V2_); "
            + "moved it to \(shown(aside)) and started a new one"
    }

    /// `~/.labrepl_history` rather than the whole path.
    private func shown(_ path: String) -> String {
        guard let home = homeDirectory(), path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }

    /// Reads the file again into a new editor's empty history.
    func reload() {
        stifle_history(Self.limit)
        if let path { _ = read_history(path) }
    }

    /// Adds a line and saves the file at once, so that a killed session loses nothing. Returns a warning if the
    /// file cannot be written (the first time only).
    func add(_ line: String) -> String? {
        // Completion leaves a space after the last word; history keeps the command without it.
        let line = String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        guard !line.isEmpty else { return nil }
        add_history(line)
        guard let path else { return nil }
        if write_history(path) != 0, !Self.warned {
            Self.warned = true
            return
                "history: cannot write \(shown(path)) (\(systemMessage(errno))); this session's lines will not be kept"
        }
        return nil
    }

    nonisolated(unsafe) private static var warned = false  // main thread only, like all of libedit
}
