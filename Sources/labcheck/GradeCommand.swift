import ArgumentParser
import Foundation
import LabCheckKit
import LabSupport
import ProcessKit

#if canImport(HeldBackChecks)
import HeldBackChecks
#endif

/// `make grade`: every lab (or one), written for a grader. A lab that does not compile still yields a result: each
/// of its steps failed, with the compiler's first error. Grading itself succeeds (exit 0) whatever the score.
struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract:
            "Grade the labs and write the result (make grade [LAB=n] FORMAT=json|junit|gradescope|classroom [OUT=path])."
    )

    @Option(help: "Only this lab (1–\(allLabs.count)).")
    var lab: Int?

    @Option(help: "json (the kit's own), junit, gradescope or classroom.")
    var format: String = "json"

    @Option(help: "Write the result to this file instead of standard output.")
    var out: String?

    @Option(help: "The seed of the held-back checks' values (a number a result recorded); without it, a new one.")
    var seed: String?

    @Option(
        help: ArgumentHelp(
            "An autograder kit only: grade this submission (a copy of the kit, its Sources/ folder, or a zip of either).",
            discussion:
                "Its lab folders replace this kit's (Sources/Lab*); the kit's own starters (\(Self.starters)) stand in for any it lacks."
        )
    )
    var submission: String?

    /// Where `make autograder` keeps the kit's untouched lab folders; only an autograder kit has it.
    static let starters = ".autograder/starters"

    @OptionGroup var options: ProgramOptions

    /// The held-back variants of each lab's steps, where this copy of the kit has them (never the student's).
    static var heldBack: [Int: [Step]] {
        #if canImport(HeldBackChecks)
        return heldBackSteps
        #else
        return [:]
        #endif
    }

    func validate() throws {
        if let lab { _ = try ProgramOptions.lab(lab) }
        if let seed, UInt64(seed) == nil {
            throw Failure("SEED=\(seed) is not a seed: use the number a result recorded")
        }
        if submission != nil && !FileManager.default.fileExists(atPath: Self.starters) {
            // A submission's lab folders replace this copy's: never an instructor's or a student's own work.
            throw Failure(
                "SUBMISSION is for the autograder's copy of the kit (make autograder), whose \(Self.starters) keeps the starters: this copy's lab folders are not to be overwritten"
            )
        }
        guard GradeFormat(rawValue: format) != nil else {
            throw Failure(
                "FORMAT=\(format) is not a format: use \(GradeFormat.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    func run() throws {
        ChildProcess.stopAllOnInterrupt()
        let started = ContinuousClock.now
        let notes = try submission.map(takeSubmission) ?? []
        let labs = lab.flatMap(Lab.numbered).map { [$0] } ?? allLabs
        var graded: [Grade.LabGrade] = []
        for lab in labs {
            if let failure = options.buildPrograms(of: lab) {
                graded.append(
                    Grade.LabGrade(
                        lab: lab,
                        doesNotCompile: failure.firstError,
                        heldBack: Self.heldBack[lab.number] ?? []
                    )
                )
                continue
            }
            let transcript = Transcript()
            var results = options.runner(for: lab).run(transcript: transcript)
            if let variants = Self.heldBack[lab.number], !variants.isEmpty {
                // Values drawn afresh for every grading run, from a seed each result records.
                var runner = options.runner(for: lab.heldBack(variants))
                runner.seeds = seed.flatMap(UInt64.init).map(SeedChoice.given) ?? .random
                results += runner.run(transcript: transcript)
            }
            try? transcript.write(to: options.transcriptPath(for: lab))
            graded.append(Grade.LabGrade(lab: lab, results: results))
        }
        let progress =
            options.solution || !FileManager.default.fileExists(atPath: options.progressPath)
            ? nil : StudentProgress(path: options.progressPath)
        let grade = Grade(
            labs: graded,
            solution: options.solution,
            duration: ContinuousClock.now - started,
            notes: notes,
            progress: progress
        )
        let format = GradeFormat(rawValue: format)!
        try write(format.render(grade), as: format)
    }

    /// The submission's lab folders in place of this kit's, the starters where it has none, and its progress file;
    /// returns what the student should read about it.
    private func takeSubmission(_ folder: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder) else {
            throw Failure("SUBMISSION=\(folder): no such folder")
        }
        let names = Set(
            try FileManager.default.contentsOfDirectory(atPath: Self.starters).filter { !$0.hasPrefix(".") }
        )
        let submission = Submission.locate(in: folder, names: names)
        defer { submission.cleanUp() }
        let notes = try submission.take(
            into: "Sources",
            starters: Self.starters,
            progressDestination: options.progressPath
        )
        for note in notes { FileHandle.standardError.write(Data((note + "\n").utf8)) }
        return notes
    }

    /// To `--out`, or standard output — but Classroom's result, inside GitHub Actions, goes to the step's outputs.
    private func write(_ text: String, as format: GradeFormat) throws {
        let environment = ProcessInfo.processInfo.environment
        if format == .classroom, environment["GITHUB_ACTIONS"] == "true", let outputs = environment["GITHUB_OUTPUT"] {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputs))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("result=\(text)\n".utf8))
        } else if let out {
            let url = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try Data(text.utf8).write(to: url, options: .atomic)
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}
