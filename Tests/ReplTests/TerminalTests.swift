import Foundation
import ProcessKit
import SocketKit
import TestSupport
import Testing

/// labrepl in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen as a person sees it.
@Suite struct TerminalTests {
    @Test(.requires(tool: "tmux"))
    func promptCompletionHistoryAndALineArrivingWhileTyping() throws {
        let terminal = try TerminalSession.labrepl()
        try terminal.waitForCursorLine("labrepl>")

        try terminal.type("listen 0 as hub", "Enter")
        let screen = try terminal.waitForScreen("the listener") { $0.contains { $0.contains("hub: listening on") } }
        let port = try listeningPort(in: try #require(screen.first { $0.contains("hub: listening on") }))
        let client = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
        defer { client.close() }
        try terminal.waitForScreen("the accepted client") {
            $0.contains { $0.hasPrefix("hub.1: accepted from 127.0.0.1:") }
        }
        try terminal.waitForCursorLine("labrepl(hub.1)>")

        // Tab completes a command, then a peer's name.
        try terminal.type("pe", "Tab")
        try terminal.waitForCursorLine("labrepl(hub.1)> peers")
        try terminal.type("Enter")
        try terminal.waitForScreen("the peer table") { $0.contains { $0.hasPrefix("* hub.1 open") } }
        try terminal.type("use hub.", "Tab")
        try terminal.waitForCursorLine("labrepl(hub.1)> use hub.1")
        try terminal.type("Enter")
        try terminal.waitForScreen("the use command's answer") { $0.suffix(2).first == "hub.1 is now the current peer" }

        // The up arrow recalls earlier lines, newest first.
        try terminal.type("Up")
        try terminal.waitForCursorLine("labrepl(hub.1)> use hub.1")
        try terminal.type("Up")
        try terminal.waitForCursorLine("labrepl(hub.1)> peers")
        try terminal.type("C-u")
        try terminal.waitForCursorLine("labrepl(hub.1)>")

        // A line from the peer while a command is half typed: it appears above, and the typing is intact.
        try terminal.type("sendline hel")
        try terminal.waitForCursorLine("labrepl(hub.1)> sendline hel")
        try client.sendAll("surprise\n")
        let during = try terminal.waitForScreen("the peer's line above the half-typed one") {
            $0.suffix(2) == [#"hub.1 ← b'surprise\n'"#, "labrepl(hub.1)> sendline hel"]
        }
        #expect(during.filter { $0.contains("surprise") }.count == 1)
        try terminal.waitForCursorLine("labrepl(hub.1)> sendline hel")
        try terminal.type("lo", "Enter")
        #expect(try client.recv(100) == Array("hello\n".utf8))
        try terminal.waitForScreen("the sent line") {
            $0.suffix(4) == [
                #"hub.1 ← b'surprise\n'"#, "labrepl(hub.1)> sendline hello", #"hub.1 → b'hello\n'"#, "labrepl(hub.1)>",
            ]
        }

        // Ctrl-C stops a waiting command, and at the prompt drops the half-typed line.
        try terminal.type("expect something that never comes timeout 30", "Enter")
        try terminal.waitForRunning("labrepl(hub.1)> expect something that never comes timeout 30")
        try terminal.type("C-c")
        try terminal.waitForScreen("the interrupted expect") {
            $0.suffix(2) == ["expect: interrupted", "labrepl(hub.1)>"]
        }
        try terminal.type("half typed")
        try terminal.waitForCursorLine("labrepl(hub.1)> half typed")
        try terminal.type("C-c")
        try terminal.waitForScreen("a fresh prompt") {
            $0.suffix(2) == ["labrepl(hub.1)> half typed^C", "labrepl(hub.1)>"]
        }

        // Ctrl-D leaves, closing every peer; the history file keeps what was typed.
        try terminal.type("C-d")
        #expect(try client.recv(100) == [])
        let history = try String(contentsOfFile: terminal.home + "/.labrepl_history", encoding: .utf8)
        #expect(
            history.split(separator: "\n") == [
                "_HiStOrY_V2_", #"listen\0400\040as\040hub"#, "peers", #"use\040hub.1"#, #"sendline\040hello"#,
                #"expect\040something\040that\040never\040comes\040timeout\04030"#,
            ]
        )
    }

    @Test(.requires(tool: "tmux"))
    func aForeignHistoryFileIsMovedAsideNotFatal() throws {
        let home = try makeTemporaryDirectory()
        try "ls -l\ncd /tmp\n".write(toFile: home + "/.labrepl_history", atomically: true, encoding: .utf8)
        let terminal = try TerminalSession.labrepl(home: home)
        try terminal.waitForScreen("the warning") {
            $0.contains { $0.hasPrefix("history: ~/.labrepl_history is not a libedit history file") }
        }
        try terminal.waitForCursorLine("labrepl>")
        try terminal.type("help", "Enter")
        try terminal.waitForScreen("help's last line") {
            $0.suffix(2).first?.hasPrefix("↑ recalls earlier lines") == true
        }
        #expect(try String(contentsOfFile: home + "/.labrepl_history", encoding: .utf8) == "_HiStOrY_V2_\nhelp\n")
        #expect(try String(contentsOfFile: home + "/.labrepl_history.bad", encoding: .utf8) == "ls -l\ncd /tmp\n")
        try terminal.type("C-d")
    }
}

extension TerminalSession {
    /// labrepl in a terminal of its own, with HOME (its history file) in a new folder.
    static func labrepl(home: String? = nil) throws -> TerminalSession {
        try TerminalSession("\(try productsDirectory())/labrepl", home: home)
    }

    /// Waits until the cursor is on the last line of text, which reads `line`: the prompt and what is typed after it.
    func waitForCursorLine(_ line: String) throws {
        var shown: [String] = []
        try eventually("the cursor's line to read \(line.debugDescription)", else: { shown.joined(separator: "\n") }) {
            let screen = try screen()
            shown = screen.lines
            return screen.lines.last == line && screen.cursorRow == screen.lines.count - 1
        }
    }

    /// Waits until `line` is the last line and the cursor has gone on to the next: the line was entered and its
    /// command is running.
    func waitForRunning(_ line: String) throws {
        try eventually("\(line.debugDescription) to run") {
            let screen = try screen()
            return screen.lines.last == line && screen.cursorRow == screen.lines.count
        }
    }
}
