import ArgumentParser
import Foundation
import LabCheckKit
import LabSupport

/// `make hint LAB=n STEP=k`: the step's next hint layer, each closer to the answer than the last.
struct HintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hint",
        abstract: "Show a step's next hint (make hint LAB=n STEP=k)."
    )

    @Option(help: "The lab (1–\(allLabs.count)).")
    var lab: Int

    @Option(help: "The step.")
    var step: Int

    @Option(help: "Where the progress file is kept.")
    var transcripts = ".labcheck"

    func validate() throws {
        let found = try ProgramOptions.lab(lab)
        if found.step(step) == nil {
            throw Failure("lab \(lab) has no step \(step): its steps are 1–\(found.steps.count)")
        }
    }

    func run() throws {
        let lab = try ProgramOptions.lab(self.lab)
        let step = lab.step(self.step)!
        let progress = StudentProgress(path: transcripts + "/progress.log")
        print(HintReveal.text(for: step, of: lab, progress: progress, colors: isatty(1) == 1))
        if let problems = progress.problemReport { print(problems) }
    }
}
