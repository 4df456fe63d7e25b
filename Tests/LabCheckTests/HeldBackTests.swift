import Foundation
import HeldBackChecks
import LabCheckKit
import TestSupport
import Testing

/// Held-back checks catch what the public ones cannot: a program that learnt the public check by heart.
@Suite struct HeldBackTests {
    /// lab1-greeting that prints, for exactly the arguments the public check uses, the dialogue it expects — and
    /// the handout's dialogue for anything else.
    static let memorized = #"""
        #!/bin/sh
        case "$*" in
        *"Lee, Mong"*) printf 'Lee, Mong: Hi. What is your name?\nPark, Jimin: My name is Park, Jimin.\nLee, Mong: How old are you?\nPark, Jimin: I am 19.\n' ;;
        *"김철수"*) printf "김철수: Hi. What is your name?\nO'Brien: My name is O'Brien.\n김철수: How old are you?\nO'Brien: I am 7.\n" ;;
        *) printf 'Hong, Gil Dong: Hi. What is your name?\nKim, Younghee: My name is Kim, Younghee.\nHong, Gil Dong: How old are you?\nKim, Younghee: I am 22.\n' ;;
        esac
        """#

    @Test func aProgramThatLearntThePublicCheckPassesItAndFailsTheHeldBackOne() throws {
        let folder = try makeTemporaryDirectory(prefix: "held-back")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeExecutable(Self.memorized, to: folder + "/lab1-greeting")
        let lab = try #require(Lab.numbered(1))

        let public_ = LabRunner(lab: lab, binDirectory: folder, solution: false).run()
        #expect(
            public_.allSatisfy { $0.passed },
            "the public check: \(public_.map { "\($0.step.number): \($0.outcome)" })"
        )

        var runner = LabRunner(lab: lab.heldBack(try #require(heldBackSteps[1])), binDirectory: folder, solution: false)
        runner.seeds = .given(2027)
        let held = runner.run()
        let failure = try #require(
            held.first?.stepFailure,
            "the held-back check passed a program that knows only the public answers"
        )
        #expect(failure.message.contains("should have been"))
        #expect(held.first?.seed == 2027, "the result records the seed its values came from")
    }

    @Test(arguments: [1, 2, 3])
    func theReferencePassesEveryHeldBackVariantWhateverTheSeed(seed: UInt64) throws {
        for (number, variants) in heldBackSteps.sorted(by: { $0.key < $1.key }) {
            let lab = try #require(Lab.numbered(number))
            var runner = LabRunner(lab: lab.heldBack(variants), binDirectory: try productsDirectory(), solution: true)
            runner.seeds = .given(seed)
            for result in runner.run() {
                #expect(
                    result.passed,
                    "lab \(number) held-back step \(result.step.number), seed \(seed): \(result.outcome)"
                )
            }
        }
    }
}
