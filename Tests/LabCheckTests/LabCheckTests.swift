import Foundation
import LabCheckKit
import TestSupport
import Testing

/// The checker's first promise, proved for every lab: the reference solution passes every step, and the untouched
/// starter fails every step, saying what is not implemented. (That each step catches its *own* missing work is the
/// per-step proof, `make mutants`.)
@Suite struct LabCheckTests {
    @Test(arguments: allLabs.map(\.number))
    func referenceSolutionPassesEveryStep(lab number: Int) throws {
        let lab = try #require(Lab.numbered(number))
        let results = LabRunner(lab: lab, binDirectory: try productsDirectory(), solution: true).run()
        #expect(results.count == lab.steps.count)
        for result in results {
            #expect(result.passed, "lab \(number) step \(result.step.number) (\(result.step.title)): \(result.outcome)")
        }
    }

    @Test(arguments: allLabs.flatMap { lab in lab.steps.map { StepID(lab: lab.number, step: $0.number) } })
    func starterFailsEachStepWithNotImplemented(_ id: StepID) throws {
        let lab = try #require(Lab.numbered(id.lab))
        let results = LabRunner(lab: lab, binDirectory: try productsDirectory(), solution: false).run(only: id.step)
        let result = try #require(results.first)
        let failure = try #require(result.failure, "the starter passed lab \(id.lab) step \(id.step)")
        // Only the words "not implemented": the message around them is the checker's to word.
        #expect(failure.contains("not implemented"), "lab \(id.lab) step \(id.step) failed otherwise: \(failure)")
    }
}

struct StepID: Sendable, CustomTestStringConvertible {
    let lab: Int
    let step: Int
    var testDescription: String { "lab \(lab) step \(step)" }
}
