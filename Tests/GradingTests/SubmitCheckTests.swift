import Foundation
import ProcessKit
import TestSupport
import Testing

@testable import LabCheckKit

/// make submit-check, in a student's repository made for the test: is the work committed, pushed, and passing?
@Suite struct SubmitCheckTests {
    /// A student's repository with lab 1's folder committed (and a remote it was pushed to), and a bin folder whose
    /// lab1-greeting is `product`.
    struct Student {
        let folder: String
        let repository: String
        let bin: String

        init(product: String) throws {
            folder = try makeTemporaryDirectory(prefix: "submit-check")
            repository = folder + "/kit"
            bin = try makeBinDirectory(links: ["lab1-greeting": product])
            try write("// Human\n", to: repository + "/Sources/Lab1Greeting/Human.swift")
            try write("// main\n", to: repository + "/Sources/Lab1Greeting/Greeting.swift")
            try git("init", "-q", "-b", "main")
            try git("add", "-A")
            try git("commit", "-q", "-m", "Lab 1")
            try git("init", "-q", "--bare", folder + "/remote.git")
            try git("remote", "add", "origin", folder + "/remote.git")
            try git("push", "-q", "-u", "origin", "main")
        }

        func git(_ arguments: String...) throws {
            let done = try ChildProcess.run(
                "git",
                ["-C", repository, "-c", "user.name=Student", "-c", "user.email=student@example.org"] + arguments,
                timeout: .seconds(30)
            )
            try #require(done.termination.succeeded, "git \(arguments.joined(separator: " ")): \(done.standardError)")
        }

        /// `labcheck submit-check` for lab 1, in the repository, as `make submit-check` runs it (built already).
        func submitCheck() throws -> ChildProcess.Finished {
            try run(
                [
                    try labcheck(), "submit-check", "--lab", "1", "--bin-dir", bin, "--transcripts",
                    folder + "/transcripts",
                ],
                in: repository,
                environment: ["NO_COLOR": "1"],
                timeout: .seconds(60)
            )
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: bin)
        }
    }

    @Test func committedPushedAndPassingIsReady() throws {
        let student = try Student(product: "lab1-greeting-solution")
        defer { student.remove() }
        let checked = try student.submitCheck()
        let screen = checked.standardOutput
        #expect(checked.termination == .exited(0), "\(screen)\(checked.standardError)")
        #expect(screen.contains("✓ Everything is committed: last commit "))
        #expect(screen.contains("\"Lab 1\""))
        #expect(screen.contains("✓ Pushed"))
        #expect(screen.contains("Lab 1 · OO greeting") && screen.contains("4/4"), "\(screen)")
        #expect(screen.contains("✓ Ready to hand in"))
        #expect(screen.split(separator: "\n").count <= 24, "one screen: \(screen)")
        #expect(
            !FileManager.default.fileExists(atPath: student.folder + "/transcripts/progress.log"),
            "submit-check recorded progress"
        )
    }

    @Test func uncommittedUntrackedAndUnpushedWorkIsNamed() throws {
        let student = try Student(product: "lab1-greeting-solution")
        defer { student.remove() }
        try write("// Human, changed\n", to: student.repository + "/Sources/Lab1Greeting/Human.swift")
        try write("// new\n", to: student.repository + "/Sources/Lab1Greeting/Helpers.swift")
        try write("notes\n", to: student.repository + "/notes.txt")  // not lab work: not listed
        var checked = try student.submitCheck()
        var screen = checked.standardOutput
        #expect(checked.termination == .exited(1))
        #expect(
            screen.contains("✗ 1 file changed since your last commit: Sources/Lab1Greeting/Human.swift"),
            "\(screen)"
        )
        #expect(screen.contains("✗ 1 new file git does not know yet: Sources/Lab1Greeting/Helpers.swift"), "\(screen)")
        #expect(!screen.contains("notes.txt"))
        #expect(screen.contains("✗ Not ready yet: commit your changes."), "\(screen)")

        try student.git("add", "-A")
        try student.git("commit", "-q", "-m", "More")
        checked = try student.submitCheck()
        screen = checked.standardOutput
        #expect(checked.termination == .exited(1))
        #expect(screen.contains("✗ 1 commit not pushed yet: git push"), "\(screen)")
        #expect(screen.contains("✗ Not ready yet: push."), "\(screen)")
    }

    @Test func aLabThatFailsIsNamed() throws {
        let student = try Student(product: "lab1-greeting")  // the starter
        defer { student.remove() }
        let checked = try student.submitCheck()
        #expect(checked.termination == .exited(1))
        #expect(checked.standardOutput.contains("0/4"), "\(checked.standardOutput)")
        #expect(
            checked.standardOutput.contains("✗ Not ready yet: finish lab 1 (make check LAB=1)."),
            "\(checked.standardOutput)"
        )
    }

    @Test func outsideGitItSaysSo() throws {
        let folder = try makeTemporaryDirectory(prefix: "submit-check-no-git")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bin = try makeBinDirectory(links: ["lab1-greeting": "lab1-greeting-solution"])
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let checked = try run(
            [try labcheck(), "submit-check", "--lab", "1", "--bin-dir", bin, "--transcripts", folder + "/transcripts"],
            in: folder,
            environment: ["GIT_CEILING_DIRECTORIES": (folder as NSString).deletingLastPathComponent],
            timeout: .seconds(60)
        )
        #expect(checked.standardOutput.contains("not in a git repository"), "\(checked.standardOutput)")
        #expect(checked.standardOutput.contains("✓ Every lab passes."), "\(checked.standardOutput)")
    }

    @Test func gitsPorcelainIsReadWithRenamesAndOnlyTheLabsNewFiles() {
        let porcelain =
            [
                " M Sources/Lab3EchoServer/EchoServer.swift", "R  Sources/Lab1Greeting/New.swift",
                "Sources/Lab1Greeting/Old.swift",
                "?? Sources/Lab4MuxServer/Extra.swift", "?? notes.txt", "?? kit/Sources/Lab5Protocol/Codec2.swift",
                "?? .labcheck/progress.log", "?? Sources/LabCheckKit/Mine.swift",
            ].joined(separator: "\0") + "\0"
        let status = WorkStatus.parse(porcelain: porcelain)
        #expect(status.changed == ["Sources/Lab3EchoServer/EchoServer.swift", "Sources/Lab1Greeting/New.swift"])
        #expect(
            status.untracked == [
                "Sources/Lab4MuxServer/Extra.swift", "kit/Sources/Lab5Protocol/Codec2.swift", ".labcheck/progress.log",
            ]
        )
    }
}
