import Foundation
import ProcessKit
import SwiftScanner
import TestSupport
import Testing

/// `make reset` from the command line, in a git repository holding a copy of lab 3's code: the whole lab, or one
/// step's functions, put back from the committed starter, the student's versions saved first; no terminal and no
/// FORCE=1, nothing changes.
@Suite struct ResetTests {
    static let server = "Sources/Lab3EchoServer/EchoServer.swift"
    static let client = "Sources/Lab3EchoClient/EchoClient.swift"

    /// Lab 3's starter files as far as reset cares: TODOs and markers naming steps, and given code. Written here,
    /// not copied from the kit's Sources/, which in a student's copy hold the student's own work.
    static let starter = [
        server: """
        import LabSupport
        import SocketKit

        struct EchoServer {
            let port: Int

            func run() throws {
                // TODO step 1: socket, bind, listen; then serve each client in turn
                throw NotImplemented("step 1 — listen and accept")
            }

            func receive(from client: Socket) throws -> [UInt8] {
                // TODO step 2: recv until the client closes its side
                throw NotImplemented("step 2 — receive")
            }

            func echo(_ data: [UInt8], to client: Socket) throws {
                // TODO step 2: sendall what came
                throw NotImplemented("step 2 — echo")
            }

            func describe() -> String { "echo server on port " + String(port) }
        }

        """,
        client: """
        import LabSupport

        struct EchoClient {
            func run() throws {
                // TODO step 4: connect, send, receive, print
                throw NotImplemented("step 4 — the client")
            }
        }

        """,
    ]

    /// A new git repository with lab 3's starter committed, as a student's clone has it.
    func repository() throws -> String {
        let folder = try makeTemporaryDirectory()
        for (path, text) in Self.starter {
            let file = URL(fileURLWithPath: "\(folder)/\(path)")
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        try git(folder, "init", "-q")
        try commit(folder, "the kit as it was handed out")
        return folder
    }

    func git(_ folder: String, _ arguments: String...) throws {
        let finished = try ChildProcess.run(
            "git",
            ["-C", folder, "-c", "user.name=Kim", "-c", "user.email=kim@example.com"] + arguments
        )
        try #require(finished.termination.succeeded, "git \(arguments): \(finished.standardError)")
    }

    func commit(_ folder: String, _ message: String) throws {
        try git(folder, "add", "-A")
        try git(folder, "commit", "-q", "-m", message)
    }

    /// `labcheck reset …` run in `folder`, standard input not a terminal.
    func reset(in folder: String, _ arguments: [String]) throws -> ChildProcess.Finished {
        try ChildProcess.run(
            "/bin/sh",
            ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", folder, try productsDirectory() + "/labcheck", "reset"]
                + arguments,
            timeout: .seconds(60)
        )
    }

    func read(_ folder: String, _ path: String) throws -> String {
        try String(contentsOfFile: "\(folder)/\(path)", encoding: .utf8)
    }

    func write(_ text: String, _ folder: String, _ path: String) throws {
        try text.write(toFile: "\(folder)/\(path)", atomically: true, encoding: .utf8)
    }

    /// The starter with every not-implemented marker replaced by a line of "work": a solved copy of sorts.
    func solved(_ starter: String) -> String {
        starter.replacing(#/throw NotImplemented\([^\n]*\)/#, with: "print(\"solved\")")
    }

    /// The one folder under `.labcheck/saved/`.
    func savedFolder(_ folder: String) throws -> String {
        let saved = "\(folder)/.labcheck/saved"
        let entries = try FileManager.default.contentsOfDirectory(atPath: saved)
        try #require(entries.count == 1, "saved: \(entries)")
        return "\(saved)/\(entries[0])"
    }

    @Test func aWholeLabGoesBackToItsStarterAndYoursIsSaved() throws {
        let folder = try repository()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The teacher fixes a comment in the starter later: still a starter, so the reset follows it.
        let fixed = try read(folder, Self.server).replacingOccurrences(
            of: "import",
            with: "// fixed by the teacher\nimport",
            options: .anchored
        )
        try write(fixed, folder, Self.server)
        try commit(folder, "starter: a comment fixed")
        // The student's work, one commit of it and some not committed; a client file deleted; a file of their own.
        let mine = solved(fixed)
        try write(mine, folder, Self.server)
        try commit(folder, "my server")
        try write(mine + "\n// more work\n", folder, Self.server)
        try FileManager.default.removeItem(atPath: "\(folder)/\(Self.client)")
        try write("// helpers\n", folder, "Sources/Lab3EchoServer/Helpers.swift")

        let finished = try reset(in: folder, ["--lab", "3", "--force"])
        #expect(finished.termination == .exited(0), "\(finished.standardOutput)\(finished.standardError)")
        #expect(try read(folder, Self.server) == fixed)
        #expect(try read(folder, Self.client) == Self.starter[Self.client])
        #expect(try read(folder, "Sources/Lab3EchoServer/Helpers.swift") == "// helpers\n")
        let saved = try savedFolder(folder)
        #expect(try read(saved, Self.server) == mine + "\n// more work\n")
        #expect(
            !FileManager.default.fileExists(atPath: "\(saved)/\(Self.client)"),
            "a missing file has nothing to save"
        )
        let output = finished.standardOutput
        #expect(output.contains("  \(Self.server)  — the starter of "))
        #expect(output.contains("\"starter: a comment fixed\""))
        #expect(output.contains("  \(Self.client)  (missing: put back whole)"))
        #expect(output.contains("Left as they are (yours, not in git): Sources/Lab3EchoServer/Helpers.swift"))
        #expect(output.contains("your versions are in .labcheck/saved/"))

        // Done twice: nothing to do.
        let again = try reset(in: folder, ["--lab", "3"])
        #expect(again.standardOutput.hasPrefix("Nothing to put back: lab 3 is as the starter has it."))
    }

    @Test func oneStepPutsBackOnlyTheFunctionsThatNameIt() throws {
        let folder = try repository()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let starter = try read(folder, Self.server)
        let mine = "// my notes at the top\n" + solved(starter)
        try write(mine, folder, Self.server)
        try commit(folder, "my server")

        let finished = try reset(in: folder, ["--lab", "3", "--step", "2", "--force"])
        #expect(finished.termination == .exited(0), "\(finished.standardOutput)\(finished.standardError)")
        let result = try read(folder, Self.server)
        #expect(result.hasPrefix("// my notes at the top\n"))
        // Each function as the starter has it if its starter body names step 2, else as the student had it.
        let starterSource = SwiftSource(starter)
        let declarations = starterSource.declarations.filter(\.hasCode)
        let named = starterSource.workByDeclaration(declarations).owned.filter {
            $0.value.contains { $0.steps.contains(2) }
        }
        try #require(
            !named.isEmpty && named.count < declarations.count,
            "lab 3's server has functions of step 2 and others"
        )
        let resultSource = SwiftSource(result)
        let mineSource = SwiftSource(mine)
        let inResult = resultSource.counterparts(of: declarations)
        let inMine = mineSource.counterparts(of: declarations)
        for (index, declaration) in declarations.enumerated() {
            let body = resultSource.text(try #require(inResult[index]).body)
            let insideOneNamed = named.keys.contains {
                $0 != index && declarations[$0].body.contains(declaration.body.lowerBound)
            }
            if named[index] != nil {
                #expect(body == starterSource.text(declaration.body), "\(declaration) should be the starter's again")
            } else if !insideOneNamed {
                #expect(
                    body == mineSource.text(try #require(inMine[index]).body),
                    "\(declaration) should be left as it was"
                )
            }
        }
        #expect(try read(savedFolder(folder), Self.server) == mine)
        #expect(
            finished.standardOutput.contains("puts back the starter's body of step 2's functions, and nothing else:")
        )
    }

    @Test func inTheKitsOwnRepositoryTheStarterIsHEADs() throws {
        let folder = try repository()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: "\(folder)/Solutions", withIntermediateDirectories: true)
        try write("the reference solutions\n", folder, "Solutions/README")
        // The instructors rewrite a starter, one marker fewer: in their copy that is the starter from now on.
        let starter = try read(folder, Self.server)
        let marker = try #require(starter.firstRange(of: #/throw NotImplemented\([^\n]*\)/#))
        let rewritten = starter.replacingCharacters(in: marker, with: "print(\"given now\")")
        try write(rewritten, folder, Self.server)
        try commit(folder, "starter: one step less")
        try write("// an experiment\n", folder, Self.server)
        let finished = try reset(in: folder, ["--lab", "3", "--force"])
        #expect(finished.termination == .exited(0), "\(finished.standardError)")
        #expect(try read(folder, Self.server) == rewritten)
    }

    @Test func withoutATerminalOrForceNothingChanges() throws {
        let folder = try repository()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mine = solved(try read(folder, Self.server))
        try write(mine, folder, Self.server)
        let finished = try reset(in: folder, ["--lab", "3", "--step", "1"])
        #expect(finished.termination == .exited(1))
        #expect(
            finished.standardError.contains(
                "there is no terminal here to ask in, so nothing changed — to go ahead (your versions are saved first): make reset LAB=3 STEP=1 FORCE=1"
            )
        )
        #expect(try read(folder, Self.server) == mine)
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/.labcheck"))
    }

    @Test func aFolderNotInGitIsSaidSo() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: "\(folder)/Lab3EchoServer", withIntermediateDirectories: true)
        try write(try #require(Self.starter[Self.server]), folder, "Lab3EchoServer/EchoServer.swift")
        let finished = try reset(in: folder, ["--lab", "3", "--force"])
        #expect(finished.termination == .exited(1))
        #expect(
            finished.standardError.contains(
                "this folder is not in a git repository, so there is no committed starter to go back to"
            )
        )

        // A repository where lab 3 was never committed.
        try git(folder, "init", "-q")
        try write("notes\n", folder, "notes.txt")
        try commit(folder, "notes")
        let uncommitted = try reset(in: folder, ["--lab", "3", "--force"])
        #expect(uncommitted.termination == .exited(1))
        #expect(uncommitted.standardError.contains("no commit has lab 3's code (Sources/Lab3…)"))
    }
}
