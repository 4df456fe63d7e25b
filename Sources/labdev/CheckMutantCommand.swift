import ArgumentParser
import Foundation
import LabCheckKit
import ProcessKit

/// One check of one mutant, in a process of its own: a check may change process-wide state (lab 4 lowers its own
/// descriptor limit), and `labdev mutants` runs two at once. Prints a `CheckOutcome` as JSON.
struct CheckMutantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-mutant",
        abstract: "Check a lab's reference programs in one folder (used by `mutants`).",
        shouldDisplay: false
    )

    @Option(help: "The lab.")
    var lab: Int

    @Option(help: "The folder with the lab's reference programs and tools.")
    var binDir: String

    @Option(help: "Check no step after this one.")
    var through: Int?

    @Option(help: "Where to write the transcript.")
    var transcript: String?

    func run() throws {
        ChildProcess.stopAllOnInterrupt()
        guard let lab = Lab.numbered(lab) else { throw ValidationError("there is no lab \(self.lab)") }
        let log = Transcript()
        let results = LabRunner(lab: through.map { lab.through(step: $0) } ?? lab, binDirectory: binDir, solution: true)
            .run(stopAtFirstFailure: true, transcript: log)
        if let transcript { try? log.write(to: transcript) }
        let outcome = CheckOutcome(
            steps: results.map { result in
                CheckOutcome.Step(
                    number: result.step.number,
                    passed: result.passed,
                    failure: result.failure,
                    cause: result.stepFailure?.cause.rawValue,
                    seconds: seconds(result.duration)
                )
            }
        )
        print(String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self))
    }
}

/// What a check of a mutant found, step by step up to the first failure.
struct CheckOutcome: Codable, Sendable {
    struct Step: Codable, Sendable {
        let number: Int
        let passed: Bool
        let failure: String?
        /// `StepFailure.Cause`'s raw value: "machine" is the machine's doing, not the mutant's.
        let cause: String?
        let seconds: Double
    }

    let steps: [Step]

    /// The first step that failed because of the machine (too few descriptors, a program missing), not the code.
    var machineFailure: Step? {
        steps.first { !$0.passed }.flatMap { $0.cause == StepFailure.Cause.machine.rawValue ? $0 : nil }
    }

    /// Each step and its failure (nil: passed), as `Verdict.judge` takes them.
    var run: [(step: Int, failure: String?)] {
        steps.map { ($0.number, $0.passed ? nil : $0.failure ?? "not run: a step it needs did not pass") }
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
