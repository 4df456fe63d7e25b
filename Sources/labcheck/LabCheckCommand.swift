import ArgumentParser
import Foundation
import LabCheckKit
import LabSupport
import ProcessKit

/// `make check`: runs a lab's step checks against the student's programs (or the reference ones) and says what
/// passed, what failed and what to look at next.
@main
struct LabCheckCommand: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "labcheck",
        abstract: "Check a lab's steps against your programs (make check LAB=n [STEP=k] [SOLUTION=1]).")

    @Option(help: "The lab to check (1–\(allLabs.count)). Without it, one line of progress per lab.")
    var lab: Int?

    @Option(help: "Run only this step, whether or not the steps before it pass.")
    var step: Int?

    @Flag(help: "Check the reference solution instead of your code.")
    var solution = false

    @Option(help: "Where the built lab programs are (swift build --show-bin-path).")
    var binDir: String

    @Option(help: "Where to write the transcripts.")
    var transcripts = ".labcheck"

    @Flag(help: "Build the lab's programs first (and only those), with `swift build --product`.")
    var build = false

    @Option(help: "Print the product name of the lab's program NAME (for make run), or say which programs there are.")
    var productOf: String?

    // Mistakes in `make check`'s variables get one line that says what to type instead: Failure, not
    // ValidationError, whose usage text lists options no student types.
    func validate() throws {
        if let lab, Lab.numbered(lab) == nil {
            throw Failure("there is no lab \(lab): the labs are 1–\(allLabs.count), e.g. make check LAB=1")
        }
        if step != nil && lab == nil { throw Failure("STEP needs a LAB: make check LAB=n STEP=k") }
        if solution && !FileManager.default.fileExists(atPath: "Solutions") {
            throw Failure("this copy of the kit has no reference solutions (Solutions/ is missing): check your own code with make check LAB=n")
        }
        if let lab, let step, Lab.numbered(lab)?.step(step) == nil {
            let count = Lab.numbered(lab)!.steps.count
            throw Failure("lab \(lab) has no step \(step): its steps are 1–\(count)")
        }
        if productOf != nil && lab == nil { throw Failure("PROG needs a LAB: make run LAB=n PROG=name") }
    }

    func run() throws {
        if let program = productOf, let lab = lab.flatMap(Lab.numbered) {
            guard lab.programs.contains(program) else {
                let list = lab.programs.map { "PROG=\($0)" }.joined(separator: " or ")
                throw Failure("lab \(lab.number) has no program \(program.isEmpty ? "without a name" : "named \"\(program)\""): use \(list), e.g. make run LAB=\(lab.number) PROG=\(lab.programs[0])")
            }
            print(lab.product(program, solution: solution))
            return
        }
        ChildProcess.stopAllOnInterrupt()
        // `make check | head` closes the pipe early: printing must then fail quietly, so the transcript is still written.
        signal(SIGPIPE, SIG_IGN)
        let report = Report(colors: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        let labs = lab.flatMap(Lab.numbered).map { [$0] } ?? allLabs
        var allPassed = true
        for lab in labs {
            if build, let errors = buildPrograms(of: lab) {
                print(self.lab == nil ? "Lab \(lab.number) · \(lab.title): does not compile" : errors)
                allPassed = false
                continue
            }
            var runner = LabRunner(lab: lab, binDirectory: binDir, solution: solution)
            runner.replayDirectory = transcripts
            let transcript = Transcript()
            let path = "\(transcripts)/lab\(lab.number)\(solution ? "-solution" : "").log"
            let results: [StepResult]
            if self.lab == nil {
                results = runner.run(transcript: transcript)
                print(report.progress(lab, results))
            } else {
                print(report.header(lab))
                results = runner.run(only: step, transcript: transcript) { print(report.line($0, in: lab)) }
                print(report.summary(lab, results, transcript: path))
            }
            try? transcript.write(to: path)
            allPassed = allPassed && results.allSatisfy(\.passed)
        }
        if !allPassed { throw ExitCode.failure }
    }

    /// Builds the lab's programs one product at a time; returns the compiler's complaints if one does not build.
    private func buildPrograms(of lab: Lab) -> String? {
        let swift = ProcessInfo.processInfo.environment["SWIFT"] ?? "swift"
        for product in lab.programs.map({ lab.product($0, solution: solution) }) + lab.tools {
            guard let built = try? ChildProcess.run(swift, ["build", "-q", "--product", product], timeout: .seconds(900))
            else { return "could not run `\(swift) build`: is Swift on PATH?" }
            guard built.termination.succeeded else {
                // The compiler's own words, source lines and notes included, but only the first screenful.
                let lines = (built.standardOutput + built.standardError).split(separator: "\n", omittingEmptySubsequences: false)
                let shown = lines.prefix(40).joined(separator: "\n")
                return "\(product) does not compile:\n" + shown + (lines.count > 40 ? "\n… (\(lines.count - 40) more lines)" : "")
            }
        }
        return nil
    }
}
