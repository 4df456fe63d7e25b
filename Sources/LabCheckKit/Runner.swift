import Foundation
import ProcessKit
import SocketKit
import Synchronization

/// How one step went.
public struct StepResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed(String)
        case notRun(needs: [Int])
    }

    public let step: Step
    public let outcome: Outcome
    public let duration: Duration

    public var passed: Bool { outcome == .passed }

    /// The failure message, if the step failed.
    public var failure: String? {
        if case .failed(let message) = outcome { return message }
        return nil
    }
}

/// Runs a lab's steps in order against the student's programs or the reference ones.
public struct LabRunner: Sendable {
    public let lab: Lab
    public let binDirectory: String
    public let solution: Bool
    /// A step that runs longer than this is stopped: its programs are killed, which ends any wait.
    public var stepTimeLimit: Duration = .seconds(30)

    public init(lab: Lab, binDirectory: String, solution: Bool) {
        self.lab = lab
        self.binDirectory = binDirectory
        self.solution = solution
    }

    /// Runs every step (skipping those whose prerequisites failed), or only step `only` regardless of the others.
    /// `report` is called as each step ends, so progress shows while later steps run. With `stopAtFirstFailure`
    /// the run ends at the first failed step (the per-step proof needs no more than that).
    @discardableResult
    public func run(
        only: Int? = nil, stopAtFirstFailure: Bool = false, transcript: Transcript = Transcript(),
        report: (StepResult) -> Void = { _ in }
    ) -> [StepResult] {
        transcript.log("Lab \(lab.number) · \(lab.title) — checking the \(solution ? "reference solution" : "student's programs") in \(binDirectory)")
        var results: [StepResult] = []
        for step in lab.steps where only == nil || step.number == only {
            let missing = only == nil ? step.needs.filter { need in !results.contains { $0.step.number == need && $0.passed } } : []
            let result = missing.isEmpty
                ? run(step, transcript: transcript)
                : StepResult(step: step, outcome: .notRun(needs: missing), duration: .zero)
            results.append(result)
            report(result)
            if stopAtFirstFailure && result.failure != nil { break }
        }
        return results
    }

    private func run(_ step: Step, transcript: Transcript) -> StepResult {
        transcript.log("── step \(step.number): \(step.title)")
        let check = Check(lab: lab, step: step, binDirectory: binDirectory, solution: solution, transcript: transcript)
        let started = ContinuousClock.now
        let watchdog = Watchdog(after: stepTimeLimit) {
            transcript.log("step \(step.number) ran over \(stepTimeLimit): stopping its programs")
            for program in check.programs { program.process.stop(grace: .zero) }
        }
        var outcome = StepResult.Outcome.passed
        do {
            try step.check(check)
        } catch {
            outcome = .failed(explain(error, in: check))
        }
        watchdog.cancel()
        let duration = ContinuousClock.now - started
        check.finish()
        transcript.log("step \(step.number): " + (result(outcome)))
        return StepResult(step: step, outcome: outcome, duration: duration)
    }

    private func result(_ outcome: StepResult.Outcome) -> String {
        if case .failed(let message) = outcome { return "FAILED:\n" + indented(message) }
        return "passed"
    }

    /// The failure as the student should read it: "not implemented" when the starter says so, the check's own
    /// message otherwise, and why a program that should still run has stopped, with its last words on stderr.
    private func explain(_ error: any Error, in check: Check) -> String {
        let programs = check.programs
        // A program that is dying (its peer saw the connection close) gets a moment to say why on stderr.
        let deadline = ContinuousClock.now + .milliseconds(300)
        while ContinuousClock.now < deadline && programs.contains(where: { $0.termination == nil }) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        for program in programs where program.termination != nil {
            _ = program.process.waitUntil(timeout: .milliseconds(300)) { _, _ in false }  // the rest of its output
        }

        let notes = programs.flatMap { program in
            program.process.standardError.split(separator: "\n").filter { $0.contains("not implemented: ") }
        }.map { String($0[$0.range(of: "not implemented: ")!.lowerBound...]) }
        if !notes.isEmpty {
            return notes.first { $0.contains("step \(check.step.number) ") } ?? notes[0]
        }
        var message = switch error {
        case let failure as CheckFailure: failure.message
        case let failure as SocketError: failure.description
        case let failure as SpawnError: failure.description
        default: "\(error)"
        }
        for program in programs {
            if let why = program.whyItStopped { message += "\n" + why }
            if program.isWaitingForEnter && !program.arguments.contains("--pause") {
                message += "\n\(program.name) is waiting for Enter (\"Press enter to proceed\"): pause only when given --pause"
            }
        }
        return message
    }
}

/// Runs `action` once `delay` has passed, unless cancelled first.
final class Watchdog: Sendable {
    private let cancelled = Atomic<Bool>(false)

    init(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + Check.seconds(delay)) { [self] in
            if !cancelled.load(ordering: .acquiring) { action() }
        }
    }

    func cancel() { cancelled.store(true, ordering: .releasing) }
}
