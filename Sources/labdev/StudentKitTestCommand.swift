import ArgumentParser
import Foundation
import LabCheckKit
import LabDevKit
import ProcessKit

/// `make student-kit-test`: the student copy, proved as a student receives it.
///
/// A clone of the last commit gets every lab's reference code written over its starters, uncommitted (a teacher's
/// checkout where the labs were tried); the copy made from it must still hand out the starters. Then, in the copy:
/// nothing instructors-only, every folder a target of its manifest, a README and `make help` without instructors'
/// commands, `make demo`, a reference server that answers over a socket, `make check LAB=1` failing with "not
/// implemented" and passing with `SOLUTION=1`; then, every lab solved in the copy as a student would leave it,
/// `make check LAB=1` passing and `make test`.
struct StudentKitTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "student-kit-test",
        abstract:
            "Make a student copy from a checkout with solved, uncommitted code, and prove it as a student gets it."
    )

    @Option(help: "The kind of machine, as the Makefile names it (linux-x86_64).")
    var platform: String

    @Flag(help: "Keep the clone and the copy (their folder is printed), to look at them.")
    var keep = false

    func run() throws {
        Children.stopAllOnInterrupt()
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("student-kit-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer {
            if keep { print("Kept: \(scratch.path)") } else { try? FileManager.default.removeItem(at: scratch) }
        }
        let proof = StudentKitProof(root: root, scratch: scratch, platform: platform)
        try proof.run()
        print(proof.summary)
        guard proof.failures.isEmpty else { throw ExitCode.failure }
    }
}

/// The steps of the proof, each timed; a failed expectation is noted and the proof goes on where it can.
final class StudentKitProof {
    let root: URL
    let scratch: URL
    let platform: String
    private(set) var failures: [String] = []
    private var timings: [(String, Double)] = []
    /// The copy's size as made, before anything is built in it.
    private var madeSize = 0

    init(root: URL, scratch: URL, platform: String) {
        self.root = root
        self.scratch = scratch
        self.platform = platform
    }

    var clone: URL { scratch.appendingPathComponent("checkout") }
    var copy: URL { scratch.appendingPathComponent("student-kit") }
    /// This program, to make the copy with.
    var labdev: String { Bundle.main.executablePath ?? CommandLine.arguments[0] }

    func run() throws {
        let commit = try CommittedTree(root: root)
        try step("clone the last commit, and solve every lab in it without committing") {
            try run("git", ["clone", "--quiet", "--no-checkout", root.path, clone.path])
            try run("git", ["-C", clone.path, "checkout", "--quiet", commit.id])
            try solveEveryLab(in: clone)
        }
        // The clone's copy is made by this labdev, its reference programs built in this checkout's build tree
        // (incremental: the same commit).
        try step("make student-kit from that checkout") {
            let made = try run(
                labdev,
                [
                    "student-kit", "--dest", copy.path, "--platform", platform,
                    "--work", root.appendingPathComponent(".build-student-kit").path,
                ],
                in: clone,
                timeout: .seconds(3600)
            )
            print(made.standardOutput.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            madeSize = StudentKitCommand.folderSize(copy)
        }
        try step("no solved code, nothing instructors-only, the commit named") { try inspectFiles(commit: commit) }
        try step("every folder under Sources/ and Tests/ is a target of the copy's manifest") { try inspectManifest() }
        try step("README and make help name no instructors' command") { try inspectCommands() }
        try step("committed as a teacher pushes it: the reference programs and the Classroom workflow are in") {
            try inspectRepository(commit: commit)
        }
        try step("make demo") {
            try expect(make(["demo"], timeout: .seconds(1800)), succeeds: true, "make demo")
        }
        try step("a reference server answers over a socket (make run … SOLUTION=1)") { try referenceServerAnswers() }
        try step("make check LAB=1 fails with \"not implemented\"; SOLUTION=1 passes") {
            let starter = try make(["check", "LAB=1"], timeout: .seconds(900))
            expect(starter, succeeds: false, "make check LAB=1")
            if !starter.standardOutput.contains("not implemented") {
                fail("make check LAB=1 does not say \"not implemented\":\n\(starter.standardOutput)")
            }
            try expect(
                make(["check", "LAB=1", "SOLUTION=1"], timeout: .seconds(900)),
                succeeds: true,
                "make check LAB=1 SOLUTION=1"
            )
        }
        // The copy's own tests must not take the student's work for the starter (make reset's did).
        try step("the student's work in the copy (every lab solved, not committed): make check LAB=1 passes") {
            try solveEveryLab(in: copy)
            try expect(make(["check", "LAB=1"], timeout: .seconds(900)), succeeds: true, "make check LAB=1, solved")
        }
        try step("make test, with that work in the copy") {
            try expect(make(["test"], timeout: .seconds(3600)), succeeds: true, "make test")
        }
    }

    var summary: String {
        let lines = timings.map { String(format: "  %6.1f s  ", $0.1) + $0.0 }
        let total = timings.map(\.1).reduce(0, +)
        let built = StudentKitCommand.megabytes(StudentKitCommand.folderSize(copy))
        return
            (["The student copy, proved step by step:"] + lines + [String(format: "  %6.1f s  in all", total)]
            + [
                "The copy: \(StudentKitCommand.megabytes(madeSize)) as made, \(built) after its make test (with its .build/)"
            ]
            + (failures.isEmpty
                ? ["The student copy holds: no solved code, and every command works there."]
                : ["The student copy FAILS:"] + failures.map { "  ✘ " + $0 }))
            .joined(separator: "\n")
    }

    // MARK: The steps

    private func step(_ name: String, _ body: () throws -> Void) throws {
        print("· \(name)")
        let started = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - started
        timings.append((name, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
    }

    /// The reference code written over every starter file it mirrors in `kit` (the clone's, or the copy's), as a
    /// student who tried the labs would leave it: importing the starters' modules, not the references'.
    private func solveEveryLab(in kit: URL) throws {
        let manager = FileManager.default
        let solutions = clone.appendingPathComponent("Solutions")
        for module in try manager.contentsOfDirectory(atPath: solutions.path) {
            for file in try manager.contentsOfDirectory(atPath: solutions.appendingPathComponent(module).path) {
                let starter = kit.appendingPathComponent("Sources/\(module)/\(file)")
                guard manager.fileExists(atPath: starter.path) else { continue }
                let reference = try String(
                    contentsOf: solutions.appendingPathComponent("\(module)/\(file)"),
                    encoding: .utf8
                )
                try reference.replacing(#/(?m)^import (\w+)Solution$/#) { "import \($0.1)" }
                    .write(to: starter, atomically: true, encoding: .utf8)
            }
        }
        let human = try String(
            contentsOf: kit.appendingPathComponent("Sources/Lab1Greeting/Human.swift"),
            encoding: .utf8
        )
        guard !human.contains("notImplemented(") else {
            throw ValidationError("\(kit.path)'s Human.swift is still the starter")
        }
    }

    private func inspectFiles(commit: CommittedTree) throws {
        let manager = FileManager.default
        for omission in StudentKit.instructorOnly
        where manager.fileExists(atPath: copy.appendingPathComponent(omission.path).path) {
            fail("the copy has \(omission.path) (\(omission.why))")
        }
        // Every file of the copy that the commit has is the commit's, byte for byte: the starters, not the clone's
        // solved files. (README.md and .gitignore are the copy's own.)
        let own: Set<String> = ["README.md", ".gitignore", StudentKit.versionFile]
        var compared = 0
        for path in commit.files where !StudentKit.isInstructorOnly(path) && !own.contains(path) {
            let committed = try run("git", ["-C", root.path, "show", "\(commit.id):\(path)"]).standardOutput
            guard let inCopy = try? String(contentsOf: copy.appendingPathComponent(path), encoding: .utf8) else {
                fail("the copy has no \(path)")
                continue
            }
            if inCopy != committed { fail("\(path) in the copy is not the committed file (solved code handed out?)") }
            compared += 1
        }
        let human =
            (try? String(contentsOf: copy.appendingPathComponent("Sources/Lab1Greeting/Human.swift"), encoding: .utf8))
            ?? ""
        if !human.contains("notImplemented(") { fail("the copy's Human.swift is not the starter") }
        let version =
            (try? String(contentsOf: copy.appendingPathComponent(StudentKit.versionFile), encoding: .utf8)) ?? ""
        if !version.contains(commit.id) { fail("\(StudentKit.versionFile) does not name commit \(commit.id)") }
        let readme = (try? String(contentsOf: copy.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
        if !readme.contains(commit.shortID) { fail("the copy's README does not name commit \(commit.shortID)") }
        let programs = copy.appendingPathComponent(StudentKit.referenceFolder + "/" + platform)
        for product in ReferenceBuild(tree: root).products
        where !manager.isExecutableFile(atPath: programs.appendingPathComponent(product).path) {
            fail("the copy has no reference program \(product) in \(StudentKit.referenceFolder)/\(platform)")
        }
        print("  \(compared) files are the commit's")
    }

    private func inspectManifest() throws {
        let described = try run(
            "swift",
            ["package", "--package-path", copy.path, "describe", "--type", "json"],
            timeout: .seconds(600)
        )
        let layout = try PackageLayout(describeJSON: Data(described.standardOutput.utf8))
        let targets = Set(layout.targets.map(\.path))
        for root in ["Sources", "Tests"] {
            let folders =
                (try? FileManager.default.contentsOfDirectory(atPath: copy.appendingPathComponent(root).path)) ?? []
            for folder in folders.sorted() where !targets.contains(root + "/" + folder) {
                fail(
                    "the copy has \(root)/\(folder), which its manifest does not build: leave it out (StudentKit.instructorOnly) or declare it for the student copy too"
                )
            }
        }
        for target in layout.targets where target.path.hasPrefix(PackageLayout.referenceRoot) {
            fail("the copy's manifest still declares \(target.name)")
        }
    }

    /// Commands of the instructor's copy: the copy's README and `make help` must not name them, and each one the
    /// copy cannot run must say so (the package commands run anywhere, but are the maintainers' business).
    private static let instructorsCommands = [
        "make mutants", "make consistency", "make diagrams", "make student-kit", "make autograder", "make class-report",
        "make update-packages", "make pin-packages",
    ]
    private static let refusedCommands = [
        "mutants", "consistency", "diagrams", "student-kit", "student-kit-test", "autograder", "autograder-test",
    ]

    private func inspectCommands() throws {
        let readme = (try? String(contentsOf: copy.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
        let help = try make(["help"], timeout: .seconds(600))
        expect(help, succeeds: true, "make help")
        for command in Self.instructorsCommands {
            if readme.contains(command) { fail("the copy's README names \(command), which is not for students") }
            if help.standardOutput.contains(command) { fail("make help in the copy lists \(command)") }
        }
        for name in Self.refusedCommands {
            let refused = try make([name, "DEST=\(scratch.path)/never"], timeout: .seconds(300))
            if refused.termination.succeeded || !refused.standardOutput.contains("copy") {
                fail("make \(name) in the copy does not say that this copy cannot run it: \(refused.standardOutput)")
            }
        }
    }

    /// The copy put in git as a teacher does before pushing it to GitHub (the assignment's template repository):
    /// its `.gitignore` must not keep the reference programs out, and the autograding workflow must be where GitHub
    /// runs it.
    private func inspectRepository(commit: CommittedTree) throws {
        // The kit's own .gitignore decides, not this machine's global one (core.excludesFile).
        let git = [
            "-C", copy.path, "-c", "user.name=Teacher", "-c", "user.email=teacher@example.invalid",
            "-c", "core.excludesFile=/dev/null",
        ]
        try run("git", git + ["init", "--quiet"])
        try run("git", git + ["add", "--all"])
        try run("git", git + ["commit", "--quiet", "-m", "The kit, as handed out"])
        let committed = Set(try run("git", git + ["ls-files"]).standardOutput.split(separator: "\n").map(String.init))
        for product in ReferenceBuild(tree: root).products {
            let path = "\(StudentKit.referenceFolder)/\(platform)/\(product)"
            if !committed.contains(path) {
                fail("\(path) is not in the copy's first commit: its .gitignore keeps it out")
            }
        }
        let workflow = StudentKit.classroomWorkflow
        if commit.files.contains(workflow.source) {
            let original = try run("git", ["-C", root.path, "show", "\(commit.id):\(workflow.source)"]).standardOutput
            let copied = try? String(contentsOf: copy.appendingPathComponent(workflow.copy), encoding: .utf8)
            if copied != original || !committed.contains(workflow.copy) {
                fail("the copy's \(workflow.copy) is not the commit's \(workflow.source)")
            }
        }
        // Exit status 0: ignored; 1: not.
        let ignored = try Children.run(
            "git",
            git + ["check-ignore", "--no-index", ".labcheck/progress.log"],
            timeout: .seconds(60)
        )
        if ignored.termination.succeeded {
            fail("the copy's .gitignore keeps .labcheck/progress.log, the student's progress, out of git")
        }
    }

    private func referenceServerAnswers() throws {
        let server = try ChildProcess(
            "make",
            ["-s", "-C", copy.path, "run", "LAB=3", "PROG=echo-server", "SOLUTION=1", "ARGS=--port 0"],
            timeLimit: .seconds(600)
        )
        defer { server.stop() }
        let port: Int
        do {
            port = try server.waitForListeningPort(timeout: .seconds(300))
        } catch {
            return fail("make run LAB=3 PROG=echo-server SOLUTION=1: \(error)")
        }
        let python = """
            import socket, sys
            with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
                s.sendall(b"hello from the student copy")
                s.shutdown(socket.SHUT_WR)
                data = b""
                while chunk := s.recv(1024):
                    data += chunk
            print(data.decode())
            """
        let answered = try run("python3", ["-c", python, String(port)], timeout: .seconds(30))
        if answered.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) != "hello from the student copy" {
            fail(
                "the reference echo server answered \(answered.standardOutput.debugDescription) \(answered.standardError)"
            )
        }
    }

    // MARK: Running things

    /// `make` in the copy, its output kept (and shown when it fails).
    private func make(_ arguments: [String], timeout: Duration) throws -> Children.Finished {
        try run("make", ["-s", "-C", copy.path] + arguments, timeout: timeout)
    }

    @discardableResult
    private func run(
        _ command: String,
        _ arguments: [String],
        in folder: URL? = nil,
        timeout: Duration = .seconds(120)
    )
        throws -> Children.Finished
    {
        let finished = try Children.run(command, arguments, directory: folder, timeout: timeout)
        if command == "git" || command == labdev, !finished.termination.succeeded {
            throw ValidationError(
                "\(command) \(arguments.joined(separator: " ")) failed (\(finished.termination)):\n"
                    + finished.standardOutput + finished.standardError
            )
        }
        return finished
    }

    private func expect(_ finished: Children.Finished, succeeds: Bool, _ what: String) {
        guard finished.termination.succeeded != succeeds else { return }
        let output = (finished.standardOutput + finished.standardError).split(separator: "\n").suffix(40)
        fail(
            "\(what) \(succeeds ? "failed (\(finished.termination))" : "passed, but should fail"):\n"
                + output.map { "    " + $0 }.joined(separator: "\n")
        )
    }

    private func fail(_ message: String) {
        print("  ✘ " + (message.split(separator: "\n").first.map(String.init) ?? ""))
        failures.append(message)
    }
}
