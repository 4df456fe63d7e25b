import Foundation
import TestSupport

@testable import LabCheckKit

/// A lab whose programs are shell scripts in a folder of their own: the checker's own behaviour (what it blames,
/// what it shows) tested without building anything.
struct FakeLab {
    let directory: String

    /// Writes each script as the program `lab9-NAME`.
    init(_ programs: [String: String]) throws {
        directory = NSTemporaryDirectory() + "labcheck-fake-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, script) in programs {
            let path = "\(directory)/lab9-\(name)"
            try writeExecutable("#!/bin/sh\n" + script + "\n", to: path)
        }
    }

    /// Runs `steps` as lab 9 against the scripts; the replay scripts go to the same folder.
    func run(_ steps: [Step], usesSockets: Bool = true, pitfalls: [Pitfall] = [], only: Int? = nil) -> [StepResult] {
        let lab = Lab(
            number: 9,
            title: "Fake",
            folder: "09-fake",
            programs: [],
            usesSockets: usesSockets,
            pitfalls: pitfalls,
            steps: steps
        )
        var runner = LabRunner(lab: lab, binDirectory: directory, solution: false)
        runner.replayDirectory = directory
        return runner.run(only: only)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension Array where Element == StepResult {
    func failure(_ step: Int) -> StepFailure? { first { $0.step.number == step }?.stepFailure }
}
