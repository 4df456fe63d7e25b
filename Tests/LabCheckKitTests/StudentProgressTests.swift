import Foundation
import ProcessKit
import TestSupport
import Testing

@testable import LabCheckKit

/// The progress file belongs to the student: it is read back right, survives hand edits, and merges in git.
@Suite struct StudentProgressTests {
    static let step = Step(
        2,
        "loops",
        hint: "keep calling recv()",
        moreHints: ["recv returns b'' at the end", "while True: …"]
    ) { _ in }

    static func results(_ passed: Bool) -> [StepResult] {
        [
            StepResult(
                lab: 3,
                step: step,
                outcome: passed ? .passed : .failed(StepFailure(.check, "no")),
                duration: .zero
            )
        ]
    }

    @Test func attemptsFirstPassAndHintsAreCounted() throws {
        let folder = try makeTemporaryDirectory(prefix: "progress")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let progress = StudentProgress(path: folder + "/progress.log")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        try progress.record(Self.results(false), at: start)
        try progress.record(Self.results(false), at: start + 60)
        try progress.recordHint(2, lab: 3, step: 2, at: start + 90)
        try progress.record(Self.results(true), at: start + 120)
        try progress.record(Self.results(false), at: start + 180)  // a later regression does not undo the first pass
        let step = StudentProgress(path: folder + "/progress.log").step(lab: 3, step: 2)
        #expect(step.attempts == 2)
        #expect(step.firstPassed == start + 120)
        #expect(step.hintsSeen == 2)
        #expect(step.lastPassed == false)
    }

    @Test func aHandEditedFileIsReadAroundItsBadLines() throws {
        let folder = try makeTemporaryDirectory(prefix: "progress")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/progress.log"
        try Data(
            """
            # comment
            2027-01-15T08:00:00Z lab 3 step 2 passed
            I passed everything, honest
            2027-01-15T08:00:00Z lab three step 2 passed
            2027-01-15T08:00:00Z lab 3 step 2 hint 0
            \u{0}\u{FF}
            2027-01-15T08:01:00Z lab 3 step 1 failed
            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        let progress = StudentProgress(path: path)
        #expect(progress.entries.count == 2)
        #expect(progress.problems.map(\.line) == [3, 4, 5, 6])
        let report = try #require(progress.problemReport)
        #expect(report.contains("4 lines are not progress lines and were skipped"))
        #expect(report.contains("line 3: \"I passed everything, honest\""))
    }

    @Test func nextHintRevealsOneLayerAtATimeAndRemembers() throws {
        let folder = try makeTemporaryDirectory(prefix: "progress")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/progress.log"
        let lab = Lab(number: 3, title: "Echo", folder: "03-blocking-echo", programs: [], steps: [Self.step])
        let progress = StudentProgress(path: path)
        try progress.record(Self.results(false))
        // The first layer came with the failure: `make hint` starts at the second.
        let first = runHint(lab, path)
        #expect(first.contains("hint 2 of 3 (new): recv returns b'' at the end"))
        #expect(first.contains("(another: make hint LAB=3 STEP=2)"))
        let second = runHint(lab, path)
        #expect(second.contains("hint 3 of 3 (new): while True: …"))
        let third = runHint(lab, path)
        #expect(!third.contains("(new)"))
        #expect(third.contains("That was the last hint."))
        #expect(StudentProgress(path: path).step(lab: 3, step: 2).hintsSeen == 3)
    }

    private func runHint(_ lab: Lab, _ path: String) -> String {
        HintReveal.text(for: Self.step, of: lab, progress: StudentProgress(path: path), colors: false)
    }

    @Test
    func twoMachinesLinesMergeWithoutConflict() throws {
        let repository = try makeTemporaryDirectory(prefix: "progress-git")
        defer { try? FileManager.default.removeItem(atPath: repository) }
        func git(_ arguments: String...) throws {
            let finished = try ChildProcess.run(
                "git",
                ["-C", repository, "-c", "user.name=Kim", "-c", "user.email=kim@example.com"] + arguments,
                timeout: .seconds(20)
            )
            try #require(finished.termination.succeeded, "git \(arguments): \(finished.standardError)")
        }
        let kit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        try FileManager.default.copyItem(
            atPath: kit.appendingPathComponent(".gitattributes").path,
            toPath: repository + "/.gitattributes"
        )
        let path = repository + "/.labcheck/progress.log"
        try git("init", "-q", "-b", "main")
        try StudentProgress(path: path).record(Self.results(false), at: Date(timeIntervalSince1970: 1_800_000_000))
        try git("add", "-A")
        try git("commit", "-qm", "start")
        try git("checkout", "-qb", "laptop")
        try StudentProgress(path: path).record(Self.results(true), at: Date(timeIntervalSince1970: 1_800_000_100))
        try git("commit", "-qam", "on the laptop")
        try git("checkout", "-q", "main")
        try StudentProgress(path: path).recordHint(2, lab: 3, step: 2, at: Date(timeIntervalSince1970: 1_800_000_050))
        try git("commit", "-qam", "in the lab room")
        try git("merge", "-q", "--no-edit", "laptop")
        let merged = StudentProgress(path: path)
        #expect(merged.problems.isEmpty)
        #expect(merged.entries.count == 3)
        #expect(merged.step(lab: 3, step: 2).firstPassed != nil)
        #expect(merged.step(lab: 3, step: 2).hintsSeen == 2)
    }
}
