import Foundation
import ProcessKit
import Testing

/// A program in a real terminal: tmux runs it, `type` sends keys, `screen` reads what a person would see. The tmux
/// server is the test's own (its socket in a new folder, which is also HOME), so parallel runs never meet and
/// nothing is left behind.
public final class TerminalSession {
    public let home: String
    public var socket: String { home + "/tmux.socket" }
    /// Kills the tmux server (and the program) after `lifetime`, should the test process die before `deinit`. The
    /// program runs bare: a `timeout` wrapper would share its process group and pass it every Ctrl-C a second time.
    private var guardian: ChildProcess?
    /// `screen()` includes the lines scrolled off the top.
    private let scrollback: Bool

    /// Starts `command` (a shell command line) in a terminal of `width` × `height`; the pane stays on the screen
    /// after the command ends, so what it printed last can still be read.
    public init(
        _ command: String,
        home: String? = nil,
        width: Int = 120,
        height: Int = 40,
        scrollback: Bool = false,
        lifetime: Int = 60
    ) throws {
        self.home = try home ?? makeTemporaryDirectory(prefix: "terminal")
        self.scrollback = scrollback
        try tmux(
            "new-session",
            "-d",
            "-x",
            String(width),
            "-y",
            String(height),
            "exec env HOME=\(self.home) \(command)"
        )
        try tmux("set-option", "-t", "0", "remain-on-exit", "on")
        guardian = try ChildProcess(
            "sh",
            ["-c", "sleep \(lifetime); tmux -S \(socket) kill-server"],
            timeLimit: .seconds(lifetime + 10)
        )
    }

    deinit {
        _ = try? ChildProcess.run("tmux", ["-S", socket, "kill-server"], timeout: .seconds(10))
        guardian?.stop()
        try? FileManager.default.removeItem(atPath: home)
    }

    @discardableResult
    public func tmux(_ arguments: String...) throws -> String {
        try tmux(arguments)
    }

    @discardableResult
    public func tmux(_ arguments: [String]) throws -> String {
        let finished = try ChildProcess.run(
            "tmux",
            ["-S", socket, "-f", "/dev/null"] + arguments,
            timeout: .seconds(10)
        )
        try #require(finished.termination.succeeded, "tmux \(arguments): \(finished.standardError)")
        return finished.standardOutput
    }

    /// Types keys: text, or tmux key names such as Tab, Up, Enter, C-c, C-d.
    public func type(_ keys: String...) throws {
        let finished = try ChildProcess.run(
            "tmux",
            ["-S", socket, "send-keys", "-t", "0"] + keys,
            timeout: .seconds(10)
        )
        try #require(finished.termination.succeeded, "tmux send-keys \(keys): \(finished.standardError)")
    }

    /// The screen's lines as a person sees them (tmux drops spaces at their ends), without the empty ones below,
    /// and the row the cursor is on (counted from the screen's top, also with `scrollback`).
    public func screen() throws -> (lines: [String], cursorRow: Int) {
        let range = scrollback ? ["-J", "-S", "-1000"] : []
        var lines = try tmux(["capture-pane", "-p"] + range + ["-t", "0"])
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        let row = try tmux("display-message", "-p", "-t", "0", "#{cursor_y}")
        return (lines, Int(row.filter(\.isNumber)) ?? -1)
    }

    /// Waits until the screen satisfies `condition`; fails showing the screen if it never does.
    @discardableResult
    public func waitForScreen(
        _ what: String,
        timeout: Duration = .seconds(10),
        _ condition: ([String]) -> Bool
    ) throws
        -> [String]
    {
        var shown: [String] = []
        try eventually("the screen to show \(what)", timeout: timeout, else: { shown.joined(separator: "\n") }) {
            shown = try screen().lines
            return condition(shown)
        }
        return shown
    }

    /// The program in the pane has ended.
    public var hasEnded: Bool {
        ((try? tmux("display-message", "-p", "-t", "0", "#{pane_dead}")) ?? "").hasPrefix("1")
    }
}

/// Waits until `condition` holds; fails with `what` (and `shown()`) after `timeout`.
public func eventually(
    _ what: String,
    timeout: Duration = .seconds(10),
    else shown: () -> String = { "" },
    _ condition: () throws -> Bool
) throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        let details = shown()
        try #require(
            ContinuousClock.now < deadline,
            "timed out waiting for \(what)\(details.isEmpty ? "" : ":\n" + details)"
        )
        Thread.sleep(forTimeInterval: 0.05)
    }
}

/// A new, empty folder of the test's own under the system's temporary folder.
public func makeTemporaryDirectory(prefix: String = "labkit-test") throws -> String {
    let pattern = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-XXXXXX").path
    var template = Array(pattern.utf8CString)
    let path = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) })
    return String(cString: path)
}
