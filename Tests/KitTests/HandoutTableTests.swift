import Foundation
import ProcessKit
import TestSupport
import Testing

/// Every line of Swift in a handout's tables compiles as written, against the SocketKit and LabSupport this build
/// made: a student who copies a line from "The lecture's Python in Swift" gets no error and no warning. An edit
/// to a table, or to SocketKit's API, that breaks a line fails here with the handout's file and line.
@Suite struct HandoutTableTests {
    @Test func everySwiftLineOfTheHandoutsTablesCompilesWithoutWarnings() throws {
        let lines = try HandoutTables.lines(in: repositoryRoot())
        // The tables the lab 2 and lab 4 handouts send students to must have been found and read.
        for handout in ["Labs/02-networked-greeting/README.md", "Labs/04-multiplexed-echo/README.md"] {
            #expect(lines.filter { $0.file == handout }.count >= 12, "too few Swift lines found in \(handout)")
        }
        let problems = try SwiftLineChecker().problems(in: lines)
        #expect(
            problems.isEmpty,
            "\(problems.count) handout lines do not compile cleanly:\n\(problems.joined(separator: "\n"))"
        )
    }

    /// The checker itself catches what it is for: the line lab 4's table once had (a `[UInt8]` passed where only a
    /// pointer was taken) and a `try?` whose result is unused.
    @Test func theCheckerCatchesAnErrorAndAWarning() throws {
        let wrong = [
            HandoutLine(file: "canary.md", line: 1, code: "let n = try s.recvInto(buffer)", isExpression: false),
            HandoutLine(file: "canary.md", line: 2, code: "try? s.send(data)", isExpression: false),
            HandoutLine(file: "canary.md", line: 3, code: "try s.getSockName()", isExpression: false),
            HandoutLine(file: "canary.md", line: 4, code: "s.fileno()", isExpression: true),
        ]
        let problems = try SwiftLineChecker().problems(in: wrong)
        #expect(problems.count == 3, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("canary.md:1:") && $0.contains("error") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("canary.md:2:") && $0.contains("unused") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("canary.md:3:") && $0.contains("unused") }, "\(problems)")
    }

    @Test func cellsBecomeLinesByTheRulesOfHandoutTables() {
        func lines(_ cell: String) -> [String] { HandoutTables.lines(inCell: cell, after: nil).map(\.code) }
        #expect(
            lines("`let s = try Socket(…)` then `defer { s.close() }`") == ["let s = try Socket()\ndefer { s.close() }"]
        )
        #expect(lines("`if data.isEmpty {`") == ["if data.isEmpty { }"])
        #expect(lines("`.inet6`, `.unix`") == ["member(.inet6)", "member(.unix)"])
        #expect(lines("`repr(data)` → `b'Hello, world'`") == ["repr(data)"])
        #expect(lines("`let n = try s.send(data)` — may send only part") == ["let n = try s.send(data)"])
        #expect(lines("`try s.listen()` (or `s.listen(5)`)") == ["try s.listen()"])
        #expect(lines("a `SocketError` whose `isWouldBlock` is true") == [])
        #expect(
            lines("`catch let error as SocketError where error.isTimeout`") == [
                "do { try mightThrow() } catch let error as SocketError where error.isTimeout {}"
            ]
        )
        let previous = HandoutLine(
            file: "",
            line: 0,
            code: "",
            isExpression: false,
            written: "catch let error as SocketError where error.isTimeout"
        )
        #expect(
            HandoutTables.lines(inCell: "`… where error.isWouldBlock`", after: previous).map(\.code) == [
                "do { try mightThrow() } catch let error as SocketError where error.isWouldBlock {}"
            ]
        )
    }
}

/// The folder that holds `Labs/` and `Package.swift`.
func repositoryRoot() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .path
}

/// One line (or a few, joined by "then") of Swift from a handout's table, ready to compile.
struct HandoutLine {
    let file: String
    let line: Int
    /// Statements or a declaration, completed as the rules below say.
    let code: String
    /// A value shown on its own (`key.socket`, `repr(data)`): that its result goes unused is no fault.
    let isExpression: Bool
    /// The last line as the handout writes it (a `…` at its start filled in), for a line after it that starts
    /// with `…`.
    var written = ""
}

/// Reads the Swift column of every table in the handouts. The rules, so that a table stays checkable:
/// - a column is Swift when its header starts with "Swift"; each `code span` in its cells is a line of Swift;
/// - a cell that starts with prose explains rather than shows: it has no lines;
/// - what follows " — ", "(" or "→" outside code is commentary or output: its spans are not lines;
/// - spans joined by "then" are one block; spans separated otherwise (", ", " / ", " or ") are lines each;
/// - `…` inside a line stands for arguments left out: `Socket(…)` is `Socket()`; a line that starts with `…`
///   repeats the line before it up to the word after the `…`;
/// - a `{` left open is closed; a line starting with `catch` gets a `do` before it; a line that is only a member
///   (`.inet6`, `[.read, .write]`) must name one of SocketKit's options.
enum HandoutTables {
    static func lines(in root: String) throws -> [HandoutLine] {
        let labs = root + "/Labs"
        var lines: [HandoutLine] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: labs).sorted() {
            let path = "\(labs)/\(folder)/README.md"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            lines += self.lines(inMarkdown: text, file: "Labs/\(folder)/README.md")
        }
        return lines
    }

    static func lines(inMarkdown text: String, file: String) -> [HandoutLine] {
        var lines: [HandoutLine] = []
        var swiftColumns: [Int] = []
        var previousRowWasTable = false
        var inCodeBlock = false
        for (index, row) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if row.hasPrefix("```") { inCodeBlock.toggle() }
            guard !inCodeBlock, row.hasPrefix("|") else {
                previousRowWasTable = false
                continue
            }
            let cells = Self.cells(of: String(row))
            defer { previousRowWasTable = true }
            guard previousRowWasTable else {
                // A header: which columns hold Swift.
                swiftColumns = cells.indices.filter { cells[$0].hasPrefix("Swift") }
                continue
            }
            guard !cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) else { continue }  // | --- | --- |
            for column in swiftColumns where column < cells.count {
                for line in Self.lines(inCell: cells[column], after: lines.last) {
                    lines.append(
                        HandoutLine(
                            file: file,
                            line: index + 1,
                            code: line.code,
                            isExpression: line.isExpression,
                            written: line.written
                        )
                    )
                }
            }
        }
        return lines
    }

    /// A row's cells, with `\|` (a pipe inside a cell) read as `|`.
    static func cells(of row: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var escaped = false
        for character in row.dropFirst() {
            if escaped {
                cell += character == "|" ? "|" : "\\" + String(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "|" {
                cells.append(cell.trimmingCharacters(in: .whitespaces))
                cell = ""
            } else {
                cell.append(character)
            }
        }
        return cells
    }

    /// The lines of one cell; `previous` is the line before it in the same column (for a leading `…`).
    static func lines(inCell cell: String, after previous: HandoutLine?) -> [HandoutLine] {
        // Alternate prose and code: pieces[0], pieces[2], … are prose; pieces[1], pieces[3], … code.
        let pieces = cell.split(separator: "`", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count >= 3, pieces[0].trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        var blocks: [[String]] = []
        var index = 1
        while index < pieces.count {
            let code = pieces[index]
            if index == 1 || pieces[index - 1].trimmingCharacters(in: .whitespaces) != "then" {
                blocks.append([code])
            } else {
                blocks[blocks.count - 1].append(code)
            }
            let prose = index + 1 < pieces.count ? pieces[index + 1] : ""
            if prose.contains(" — ") || prose.contains("(") || prose.contains("→") { break }
            index += 2
        }
        var lines: [HandoutLine] = []
        var before = previous?.written
        for block in blocks {
            var statements: [String] = []
            var isExpression = false
            for piece in block {
                var code = piece
                if code.hasPrefix("…"), let continued = continuing(code, from: before) { code = continued }
                code = code.replacingOccurrences(of: "…", with: "")
                before = code
                isExpression = !startsWithKeyword(code)
                statements.append(completed(code))
            }
            lines.append(
                HandoutLine(
                    file: "",
                    line: 0,
                    code: statements.joined(separator: "\n"),
                    isExpression: isExpression,
                    written: before ?? ""
                )
            )
        }
        return lines
    }

    /// `… where error.isTimeout` after `catch let error as SocketError where error.isWouldBlock`: the line before,
    /// up to the word after the `…`, then the rest.
    private static func continuing(_ code: String, from before: String?) -> String? {
        let rest = code.dropFirst().trimmingCharacters(in: .whitespaces)
        guard let word = rest.split(separator: " ").first, let before,
            let range = before.range(of: " " + word + " ")
        else { return nil }
        return String(before[..<range.lowerBound]) + " " + rest
    }

    private static func startsWithKeyword(_ code: String) -> Bool {
        let first = code.split(separator: " ").first.map(String.init) ?? ""
        return [
            "try", "try?", "try!", "let", "var", "if", "for", "while", "guard", "defer", "catch", "do", "return",
            "final", "class", "struct", "enum", "func", "init", "_",
        ].contains(first) || first.hasPrefix("init(")
            || code.contains(" = ")
    }

    /// The line made whole: open braces closed, a `catch` given its `do`, a lone member given a type to belong to.
    private static func completed(_ code: String) -> String {
        var code = code
        if code.hasPrefix(".") || code.hasPrefix("[.") { code = "member(\(code))" }
        let open = code.filter { $0 == "{" }.count - code.filter { $0 == "}" }.count
        if code.hasPrefix("catch") {
            code = "do { try mightThrow() } " + code + (open > 0 ? "" : " {}")
        }
        if open > 0 { code += String(repeating: " }", count: open) }
        return code
    }
}

/// Compiles handout lines, each in a scope of its own with the names the handouts use (`s`, `conn`, `data`,
/// `buffer`, `sel`, `key`, …) already declared, and returns what the compiler said about them.
struct SwiftLineChecker {
    /// The names a line may use without declaring them, with their types. A line that declares one of them again
    /// (`let (conn, addr) = try s.accept()`) shadows it.
    static let context = """
        s: Socket, conn: Socket, sock: Socket, lsock: Socket, data: [UInt8], buffer: inout [UInt8], \
        outb: inout [UInt8], addr: SocketAddress, sel: Selector<Connection?>, key: SelectorKey<Connection?>, \
        mask: SelectorEvents, events: SelectorEvents, HOST: String, PORT: Int, h: String, p: Int, n: Int, \
        sent: Int, left: Duration, name: String, age: Int
        """

    /// Warnings that come from compiling a line alone, not from the line: a name it declares and nothing after it
    /// uses.
    static let artefacts = ["was never used", "was never mutated", "never read"]

    func problems(in lines: [HandoutLine]) throws -> [String] {
        let folder = NSTemporaryDirectory() + "handout-lines-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = folder + "/HandoutLines.swift"
        try program(lines).write(toFile: source, atomically: true, encoding: .utf8)

        let products = try productsDirectory()
        let moduleMaps = (try? FileManager.default.contentsOfDirectory(atPath: products)) ?? []
        let arguments =
            ["-typecheck", "-swift-version", "6", "-I", products + "/Modules"]
            + moduleMaps.filter { $0.hasSuffix(".build") }.map { "\(products)/\($0)/module.modulemap" }
            .filter { FileManager.default.fileExists(atPath: $0) }.flatMap { ["-Xcc", "-fmodule-map-file=" + $0] }
            + [source]
        let compiled = try ChildProcess.run("swiftc", arguments, timeout: .seconds(120))
        let diagnostics = (compiled.standardError + compiled.standardOutput).split(separator: "\n").map(String.init)
        let shown = diagnostics.filter { $0.contains(": error: ") || $0.contains(": warning: ") }
        var problems: [String] = []
        for diagnostic in shown {
            let isWarning = diagnostic.contains(": warning: ")
            if isWarning, Self.artefacts.contains(where: diagnostic.contains) { continue }
            let location = diagnostic.split(separator: ":", maxSplits: 2)
            let there = lines.filter { location.count > 2 && $0.file == location[0] && String($0.line) == location[1] }
            if isWarning, !there.isEmpty, there.allSatisfy(\.isExpression), diagnostic.contains("unused") { continue }
            problems.append(([diagnostic] + there.map { "    the line: " + $0.code }).joined(separator: "\n"))
        }
        if problems.isEmpty && !compiled.termination.succeeded {
            problems.append("swiftc failed (\(compiled.termination)):\n" + diagnostics.joined(separator: "\n"))
        }
        return problems
    }

    /// One file: each line in a method of its own, inside a class whose properties are those of lab 1's `Human`
    /// (`self.name = name`); declarations (`func askName() {`) go in the class itself.
    func program(_ lines: [HandoutLine]) -> String {
        var text = """
            import Foundation
            import LabSupport
            import SocketKit

            /// Lab 4's per-connection state, the selector's data.
            final class Connection {}
            func mightThrow() throws {}
            func member(_ value: Socket.Family) {}
            func member(_ value: Socket.SocketType) {}
            func member(_ value: SelectorEvents) {}

            """
        for (number, line) in lines.enumerated() {
            let isDeclaration = ["final ", "class ", "struct ", "enum ", "func ", "init("].contains {
                line.code.hasPrefix($0)
            }
            let located =
                "#sourceLocation(file: \"\(line.file)\", line: \(line.line))\n\(line.code)\n#sourceLocation()\n"
            text += """
                enum Line\(number) {
                    final class Scope {
                        var name = ""
                        var age = 0
                \(isDeclaration ? located : "")
                        func run(\(Self.context)) throws {
                \(isDeclaration ? "" : located)
                            _ = ()
                        }
                    }
                }

                """
        }
        return text
    }
}
