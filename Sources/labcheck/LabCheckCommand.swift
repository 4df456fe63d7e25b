import ArgumentParser
import Foundation
import LabCheckKit
import LabSupport
import ProcessKit

/// `make check`, `make grade`: runs a lab's step checks against the student's programs (or the reference ones) and
/// says what passed, what failed and what to look at next — or writes the result in a grader's format.
@main
struct LabCheckCommand: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "labcheck",
        abstract: "Check a lab's steps against your programs (make check LAB=n [STEP=k] [SOLUTION=1]).",
        subcommands: [
            CheckCommand.self, WatchCommand.self, HintCommand.self, GradeCommand.self, ClassReportCommand.self,
            SubmitCheckCommand.self, ResetCommand.self,
        ],
        defaultSubcommand: CheckCommand.self
    )
}

/// What every subcommand needs: which programs to check, where they are, and whether to build them first.
struct ProgramOptions: ParsableArguments {
    @Flag(help: "Check the reference solution instead of your code.")
    var solution = false

    @Option(help: "Where the built lab programs are (swift build --show-bin-path).")
    var binDir: String

    @Option(
        help:
            "Where the reference programs are, built, in a copy of the kit without Solutions/ (the student copy's Labs/reference/PLATFORM)."
    )
    var referenceDir: String?

    @Option(help: "Where to write the transcripts and replay scripts.")
    var transcripts = ".labcheck"

    @Flag(help: "Build the lab's programs first (and only those), with `swift build --product`.")
    var build = false

    // Mistakes in make's variables get one line that says what to type instead: Failure, not ValidationError,
    // whose usage text lists options no student types.
    func validate() throws {
        if let missing = missingReferencePrograms { throw Failure(missing) }
    }

    /// The reference programs are not built here but come with this copy of the kit (the student copy).
    var usesPrebuiltReference: Bool { solution && !FileManager.default.fileExists(atPath: "Solutions") }

    /// Where the programs to check are: the build's, or the prebuilt reference programs.
    var programsDirectory: String { usesPrebuiltReference ? referenceDir ?? binDir : binDir }

    /// Why `--solution` cannot run here, if it cannot: neither the reference source nor, for this machine, the
    /// reference programs.
    private var missingReferencePrograms: String? {
        guard usesPrebuiltReference else { return nil }
        guard let referenceDir else {
            return
                "this copy of the kit has no reference solutions (Solutions/ is missing): check your own code with make check LAB=n"
        }
        if FileManager.default.fileExists(atPath: referenceDir) { return nil }
        let folder = URL(fileURLWithPath: referenceDir)
        let others =
            (try? FileManager.default.contentsOfDirectory(atPath: folder.deletingLastPathComponent().path)) ?? []
        return "this copy of the kit has no reference programs for this machine (\(referenceDir) is missing"
            + (others.isEmpty ? "" : "; it has them for \(others.sorted().joined(separator: ", "))")
            + "). Play that side yourself with labrepl (make repl): the handout says how, where it uses a reference program."
    }

    /// The lab numbered `number`, or a one-line error naming the labs there are.
    static func lab(_ number: Int) throws -> Lab {
        guard let lab = Lab.numbered(number) else {
            throw Failure("there is no lab \(number): the labs are 1–\(allLabs.count), e.g. make check LAB=1")
        }
        return lab
    }

    /// A runner for `lab` that writes its replay scripts beside the transcripts.
    func runner(for lab: Lab) -> LabRunner {
        var runner = LabRunner(lab: lab, binDirectory: programsDirectory, solution: solution)
        runner.replayDirectory = transcripts
        return runner
    }

    var progressPath: String { transcripts + "/progress.log" }

    /// Adds the steps that ran to the student's progress file; a file that cannot be written is said, not fatal.
    func recordProgress(_ results: [StepResult]) {
        do {
            try StudentProgress(path: progressPath).record(results)
        } catch {
            FileHandle.standardError.write(Data("(could not add to \(progressPath): \(error))\n".utf8))
        }
    }

    func transcriptPath(for lab: Lab) -> String {
        "\(transcripts)/lab\(lab.number)\(solution ? "-solution" : "").log"
    }

    /// Builds the lab's programs one product at a time (when asked to); returns the compiler's complaints if one
    /// does not build.
    func buildPrograms(of lab: Lab) -> BuildFailure? {
        // The student copy's reference programs come built (Labs/reference/PLATFORM).
        guard !usesPrebuiltReference else { return nil }
        return buildProducts(lab.programs.map { lab.product($0, solution: solution) } + lab.tools)
    }

    /// Builds `products` one at a time (when asked to build); the first one's compiler complaints if it fails.
    func buildProducts(_ products: [String]) -> BuildFailure? {
        guard build else { return nil }
        let swift = ProcessInfo.processInfo.environment["SWIFT"] ?? "swift"
        for product in products {
            guard
                let built = try? ChildProcess.run(swift, ["build", "-q", "--product", product], timeout: .seconds(900))
            else { return BuildFailure(product: product, output: "could not run `\(swift) build`: is Swift on PATH?") }
            guard built.termination.succeeded else {
                return BuildFailure(product: product, output: built.standardOutput + built.standardError)
            }
        }
        return nil
    }
}

/// A lab program that did not compile, in the compiler's words.
struct BuildFailure {
    let product: String
    let output: String

    /// The compiler's own words, source lines and notes included, but only the first screenful.
    var screenful: String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return "\(product) does not compile:\n" + lines.prefix(40).joined(separator: "\n")
            + (lines.count > 40 ? "\n… (\(lines.count - 40) more lines)" : "")
    }

    /// The first error with the lines that show where it is (the source line and its marker).
    var firstError: String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.contains(": error: ") }) else {
            return lines.prefix(10).joined(separator: "\n")
        }
        let context = lines[(start + 1)...].prefix {
            !$0.isEmpty && !$0.contains(": error: ") && !$0.contains(": warning: ")
        }
        return ([shortSourcePath(lines[start])] + context.prefix(8)).joined(separator: "\n")
    }
}

/// `make check`: a lab's steps, one line each, the first failure in full.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a lab's steps (make check LAB=n [STEP=k] [SOLUTION=1])."
    )

    @Option(help: "The lab to check (1–\(allLabs.count)). Without it, each lab's progress so far (no checking).")
    var lab: Int?

    @Flag(help: "Check every lab, one line each.")
    var all = false

    @Option(help: "Run only this step, whether or not the steps before it pass.")
    var step: Int?

    @OptionGroup var options: ProgramOptions

    @Option(help: "Print the product name of the lab's program NAME (for make run), or say which programs there are.")
    var productOf: String?

    @Option(help: "The seed of the steps' chaos and drawn values: a number (printed by a failure), or random.")
    var seed: String?

    @Option(help: "Run the lab this many times with fresh seeds and show how often each step failed.")
    var `repeat`: Int?

    func validate() throws {
        if let lab {
            let found = try ProgramOptions.lab(lab)
            if let step, found.step(step) == nil {
                throw Failure("lab \(lab) has no step \(step): its steps are 1–\(found.steps.count)")
            }
        }
        if step != nil && lab == nil { throw Failure("STEP needs a LAB: make check LAB=n STEP=k") }
        if productOf != nil && lab == nil { throw Failure("PROG needs a LAB: make run LAB=n PROG=name") }
        if SeedChoice(seed) == nil {
            throw Failure("SEED=\(seed ?? "") is not a seed: use a number a failure printed, or SEED=random")
        }
        if let count = `repeat` {
            if lab == nil { throw Failure("REPEAT needs a LAB: make check LAB=n REPEAT=20") }
            if count < 1 { throw Failure("REPEAT=\(count): repeat at least once") }
        }
    }

    func run() throws {
        if let program = productOf, let lab = lab.flatMap(Lab.numbered) {
            return try printProduct(program, of: lab)
        }
        ChildProcess.stopAllOnInterrupt()
        // `make check | head` closes the pipe early: printing must then fail quietly, so the transcript is still written.
        signal(SIGPIPE, SIG_IGN)
        let report = Report(colors: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        let labs = lab.flatMap(Lab.numbered).map { [$0] } ?? allLabs
        if let count = `repeat`, let lab = labs.first {
            return try repeatChecks(of: lab, times: count, report: report)
        }
        if lab == nil && !all { return showProgress(report) }
        var allPassed = true
        for lab in labs {
            if let failure = options.buildPrograms(of: lab) {
                print(self.lab == nil ? "Lab \(lab.number) · \(lab.title): does not compile" : failure.screenful)
                allPassed = false
                continue
            }
            let transcript = Transcript()
            let path = options.transcriptPath(for: lab)
            let results: [StepResult]
            var runner = options.runner(for: lab)
            runner.seeds = SeedChoice(seed)!
            if self.lab == nil {
                results = runner.run(transcript: transcript)
                print(report.progress(lab, results))
            } else {
                print(report.header(lab))
                results = runner.run(only: step, transcript: transcript) { print(report.line($0, in: lab)) }
                print(report.summary(lab, results, transcript: path))
                if step == nil {
                    allPassed = checkOwnChecks(of: lab, report: report, transcript: transcript) && allPassed
                }
            }
            try? transcript.write(to: path)
            if !options.solution { options.recordProgress(results) }
            allPassed = allPassed && results.allSatisfy(\.passed)
        }
        if !allPassed { throw ExitCode.failure }
    }

    /// The student's own checks (Labs/NN-…/my-checks, written with labrepl's record and save), after the lab's
    /// steps: reported apart, not scored, not in the progress file. Whether they all passed.
    private func checkOwnChecks(of lab: Lab, report: Report, transcript: Transcript) -> Bool {
        let checks = OwnCheck.all(of: lab)
        guard !checks.isEmpty else { return true }
        print(report.ownChecksHeader(OwnCheck.folder(of: lab)))
        if let failure = options.buildProducts(["labrepl"]) {
            print(failure.screenful)
            return false
        }
        let results = OwnChecks.run(
            checks,
            of: lab,
            binDirectory: options.programsDirectory,
            solution: options.solution,
            transcript: transcript
        ) { print(report.line($0, in: lab)) }
        print(report.ownChecksSummary(results))
        return results.allSatisfy(\.passed)
    }

    /// `make check` alone: what the progress file says, at once — checking every lab would take a minute.
    private func showProgress(_ report: Report) {
        let progress = StudentProgress(path: options.progressPath)
        print("Your progress (from your checks so far; make check LAB=n checks a lab again):")
        for lab in allLabs { print(report.progress(lab, from: progress)) }
        if let problems = progress.problemReport { print(problems) }
    }

    /// `REPEAT=n`: the lab (or its step) n times, each with fresh random seeds; a table at the end.
    private func repeatChecks(of lab: Lab, times count: Int, report: Report) throws {
        if let failure = options.buildPrograms(of: lab) {
            print(failure.screenful)
            throw ExitCode.failure
        }
        var runner = options.runner(for: lab)
        runner.seeds = .random
        var runs: [[StepResult]] = []
        for number in 1...count {
            let results = runner.run(only: step)
            runs.append(results)
            let passed = results.filter(\.passed).count
            print("run \(number)/\(count): \(passed)/\(results.count) steps passed")
        }
        print(report.repeated(lab, runs: runs))
        if runs.contains(where: { !$0.allSatisfy(\.passed) }) { throw ExitCode.failure }
    }

    private func printProduct(_ program: String, of lab: Lab) throws {
        guard lab.programs.contains(program) else {
            let list = lab.programs.map { "PROG=\($0)" }.joined(separator: " or ")
            throw Failure(
                "lab \(lab.number) has no program \(program.isEmpty ? "without a name" : "named \"\(program)\""): use \(list), e.g. make run LAB=\(lab.number) PROG=\(lab.programs[0])"
            )
        }
        print(lab.product(program, solution: options.solution))
    }
}
