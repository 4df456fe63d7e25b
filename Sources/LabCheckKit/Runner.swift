import Foundation
import ProcessKit
import SocketKit
import Synchronization

/// Runs a lab's steps in order against the student's programs or the reference ones.
public struct LabRunner: Sendable {
    public let lab: Lab
    public let binDirectory: String
    public let solution: Bool
    /// A step that runs longer than this is stopped: its programs are killed, which ends any wait.
    public var stepTimeLimit: Duration = .seconds(30)
    /// Where a failed step's replay script is written (`.labcheck`); nil: nowhere, and no script is offered.
    public var replayDirectory: String?
    /// Which seed each step's chaos and drawn values come from.
    public var seeds: SeedChoice = .fixed

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
        only: Int? = nil,
        stopAtFirstFailure: Bool = false,
        transcript: Transcript = Transcript(),
        report: (StepResult) -> Void = { _ in }
    ) -> [StepResult] {
        transcript.log(
            "Lab \(lab.number) · \(lab.title) — checking the \(solution ? "reference solution" : "student's programs") in \(binDirectory)"
        )
        var results: [StepResult] = []
        for step in lab.steps where only == nil || step.number == only {
            let missing =
                only == nil
                ? step.needs.filter { need in !results.contains { $0.step.number == need && $0.passed } } : []
            let result =
                missing.isEmpty
                ? run(step, transcript: transcript)
                : StepResult(lab: lab.number, step: step, outcome: .notRun(needs: missing), duration: .zero)
            results.append(result)
            report(result)
            if stopAtFirstFailure && result.failure != nil { break }
        }
        return results
    }

    private func run(_ step: Step, transcript: Transcript) -> StepResult {
        let mark = transcript.count
        transcript.log("── step \(step.number): \(step.title)")
        let seed = seeds.seed(lab: lab.number, step: step.number)
        let check = Check(
            lab: lab,
            step: step,
            binDirectory: binDirectory,
            solution: solution,
            transcript: transcript,
            seed: seed
        )
        let started = ContinuousClock.now
        let ranOverTime = Atomic<Bool>(false)
        let watchdog = Watchdog(after: stepTimeLimit) {
            transcript.log("step \(step.number) ran over \(stepTimeLimit): stopping its programs")
            ranOverTime.store(true, ordering: .relaxed)
            for program in check.programs { program.process.stop(grace: .zero) }
        }
        var outcome = StepResult.Outcome.passed
        do {
            try step.check(check)
        } catch {
            transcript.log("step \(step.number): the check says: \(error)")
            var failure = Diagnosis(
                lab: lab,
                step: step,
                error: error,
                programs: check.programs,
                ranOverTime: ranOverTime.load(ordering: .relaxed)
            ).failure()
            failure.replay = replay(of: check)
            failure.capture = capture(of: check)
            outcome = .failed(failure)
        }
        watchdog.cancel()
        let duration = ContinuousClock.now - started
        check.finish()
        transcript.log("step \(step.number): " + (result(outcome)))
        let drewFromSeed = check.usedSeed.load(ordering: .relaxed)
        if drewFromSeed { transcript.log("step \(step.number) drew from seed \(seed)") }
        var stepResult = StepResult(
            lab: lab.number,
            step: step,
            outcome: outcome,
            duration: duration,
            transcript: transcript.text(since: mark),
            seed: drewFromSeed ? seed : nil
        )
        stepResult.caveats = check.caveats
        return stepResult
    }

    /// The commands that replay a failed step by hand, after those that set up what the check set up.
    private func replay(of check: Check) -> [String] {
        let commands = conversationReplay(of: check)
        guard !commands.isEmpty else { return [] }
        return check.preparations.map { $0 + "    # first, as the checker did" } + commands
    }

    /// The commands that replay the step's conversation; the script they use is written under `replayDirectory`.
    private func conversationReplay(of check: Check) -> [String] {
        if let commands = check.replayOverride { return commands }
        let path = "\(replayDirectory ?? ".labcheck")/\(fileStem(check.step)).repl"
        let plan = Replay(lab: lab, step: check.step, solution: solution, events: check.recording.events)
            .plan(scriptPath: path)
        guard let script = plan.script else { return plan.commands }
        guard let directory = replayDirectory else { return [] }  // a script nobody wrote is no help
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(script.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            for (file, bytes) in plan.files { try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic) }
        } catch {
            return []
        }
        return plan.commands
    }

    /// Writes the step's connections as a packet capture under `replayDirectory`; returns its path.
    private func capture(of check: Check) -> String? {
        guard let directory = replayDirectory,
            let bytes = Capture.pcapng(check.recording.events, startedAt: check.recording.startDate)
        else { return nil }
        let path = "\(directory)/\(fileStem(check.step)).pcapng"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            return path
        } catch {
            return nil
        }
    }

    /// `lab3-step2`, or `lab3-step2-solution` for the reference: the name of a step's files under `.labcheck/`.
    private func fileStem(_ step: Step) -> String {
        "lab\(lab.number)-step\(step.number)\(solution ? "-solution" : "")"
    }

    private func result(_ outcome: StepResult.Outcome) -> String {
        if case .failed(let failure) = outcome {
            return "FAILED (\(failure.cause.rawValue)):\n" + indented(failure.text)
        }
        return "passed"
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
