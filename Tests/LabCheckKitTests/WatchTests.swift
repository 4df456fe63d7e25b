import Foundation
import ProcessKit
import TestSupport
import Testing

/// `make watch`, as a student uses it, in a real terminal: a save re-checks, `h` shows a hint, `q` and Ctrl-C leave
/// with nothing left running. The "lab 1 program" is a script in a folder of the test's own, watched in place of
/// Sources/.
@Suite(.serialized, .requires(tool: "tmux")) struct WatchTests {
    /// lab1-greeting as a script; `period` decides whether step 2's line is right.
    static func greeting(period: Bool) -> String {
        """
        #!/usr/bin/env python3
        import argparse
        p = argparse.ArgumentParser()
        p.add_argument("--asker", default="Hong, Gil Dong"); p.add_argument("--asker-age", default="20")
        p.add_argument("--answerer", default="Kim, Younghee"); p.add_argument("--answerer-age", default="22")
        a = p.parse_args()
        print(f"{a.asker}: Hi. What is your name?")
        print(f"{a.answerer}: My name is {a.answerer}\(period ? "." : "")")
        print(f"{a.asker}: How old are you?")
        print(f"{a.answerer}: I am {a.answerer_age}.")
        """
    }

    static func write(_ script: String, to path: String) throws {
        // Written beside and renamed over, as editors save.
        try writeExecutable(script, to: path + ".tmp")
        _ = rename(path + ".tmp", path)
    }

    /// A terminal running `labcheck watch` on lab 1, over a folder holding a wrong lab1-greeting. Afterwards the
    /// shell says how it ended and whether the terminal is back to lines and echo (icanon, echo).
    static func watching(_ method: String) throws -> (TerminalSession, folder: String) {
        let folder = try makeTemporaryDirectory(prefix: "watch")
        try write(greeting(period: false), to: folder + "/lab1-greeting")
        let labcheck = try productsDirectory() + "/labcheck"
        let after =
            "echo ended with $?; stty -a | tr \" ;\" \"\\n\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo | tr \"\\n\" \" \""
        let terminal = try TerminalSession(
            "sh -c 'trap true INT; cd \(folder) && \(labcheck) watch --lab 1 --bin-dir \(folder) --folder \(folder) \(method); \(after)'",
            scrollback: true
        )
        return (terminal, folder)
    }

    @Test(arguments: ["", "--poll"])
    func aSaveChecksAgainAndKeysWork(method: String) throws {
        let (terminal, folder) = try Self.watching(method)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try terminal.waitForScreen("the first check: step 2 fails") { $0.contains { $0.hasPrefix("Score: 1/4") } }
        #expect(try terminal.screen().lines.contains { $0.contains("✘ 2  answerName() prints the second line") })

        try terminal.type("h")
        try terminal.waitForScreen("step 2's hint") { $0.contains { $0.contains("hint 1 of") } }

        try Self.write(Self.greeting(period: true), to: folder + "/lab1-greeting")
        let screen = try terminal.waitForScreen("the check after the save") {
            $0.contains { $0.hasPrefix("Score: 4/4") }
        }
        #expect(screen.contains { $0.contains("saved lab1-greeting ") })  // not the editor's temporary file
        #expect(
            screen.contains { $0.contains("2  answerName() prints the second line") && $0.hasSuffix("← passes now") }
        )
        #expect(screen.contains { $0.hasPrefix("Every step of lab 1 passes.") })

        try terminal.type("Enter")
        try terminal.waitForScreen("a check on Enter") { $0.filter { $0.hasPrefix("Score: 4/4") }.count == 2 }

        try terminal.type("q")
        try terminal.waitForScreen("the goodbye") { $0.contains("Stopped watching.") }
        try eventually("labcheck to end") { terminal.hasEnded }
        // Progress was kept: a failure and then a pass of step 2, and the hint.
        let progress = try String(contentsOfFile: folder + "/.labcheck/progress.log", encoding: .utf8)
        #expect(progress.contains("lab 1 step 2 failed") && progress.contains("lab 1 step 2 passed"))
    }

    @Test
    func ctrlCLeavesNothingRunningAndTheTerminalAsItWas() throws {
        let (terminal, folder) = try Self.watching("")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try terminal.waitForScreen("the first check") { $0.contains { $0.hasPrefix("Score: 1/4") } }
        // A program that hangs while checked: Ctrl-C arrives in the middle of a check.
        try Self.write("#!/bin/sh\nsleep 30\n", to: folder + "/lab1-greeting")
        try terminal.waitForScreen("the check of the save to start") {
            $0.contains { $0.contains("saved lab1-greeting") }
        }
        try terminal.type("C-c")
        try eventually("the shell to finish after labcheck ended on Ctrl-C") { terminal.hasEnded }
        // (The tmux server holds the command line in its own arguments: it is not the program.)
        let left = try ChildProcess.run(
            "sh",
            ["-c", "ps -eo pid,args | grep -F \"\(folder)\" | grep -v -e grep -e tmux || true"],
            timeout: .seconds(5)
        )
        #expect(left.standardOutput.isEmpty, "still running: \(left.standardOutput)")
        let screen = try terminal.waitForScreen("how it ended") { $0.contains { $0.hasPrefix("ended with") } }
        #expect(screen.contains("ended with 130"))
        #expect(screen.contains { $0.hasPrefix("icanon echo") }, "the terminal was left without line editing or echo")
    }
}
