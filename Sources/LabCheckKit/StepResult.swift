/// How one step went: the result model every writer reads (the terminal report, and later the grading formats).
public struct StepResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed(StepFailure)
        case notRun(needs: [Int])
    }

    public let lab: Int
    public let step: Step
    public let outcome: Outcome
    public let duration: Duration
    /// The step's part of the transcript: what was started, sent and received, and what the programs printed.
    public var transcript: String
    /// The seed the step's values and schedules were drawn from, when it drew any.
    public var seed: UInt64?
    /// What a passing check could not see on this machine ("localhost is only 127.0.0.1 here"): shown under ✔.
    public var caveats: [String] = []

    public init(
        lab: Int,
        step: Step,
        outcome: Outcome,
        duration: Duration,
        transcript: String = "",
        seed: UInt64? = nil
    ) {
        self.lab = lab
        self.step = step
        self.outcome = outcome
        self.duration = duration
        self.transcript = transcript
        self.seed = seed
    }

    public var passed: Bool { outcome == .passed }
    /// The points the step earned.
    public var score: Int { passed ? step.points : 0 }

    /// Why the step failed, if it did.
    public var stepFailure: StepFailure? {
        if case .failed(let failure) = outcome { return failure }
        return nil
    }

    /// The failure as one text (message, then where the program stopped), if the step failed.
    public var failure: String? { stepFailure?.text }
}

/// Why a step failed, in the words the student reads: what went wrong, where the program stopped if that was
/// somewhere else, what to look at next and how to replay the step by hand.
public struct StepFailure: Sendable, Equatable {
    /// What kind of failure this is; each kind has its own advice. (The raw values appear in `make grade`'s JSON.)
    public enum Cause: String, Sendable, Equatable {
        /// The check saw something wrong: its own message says what.
        case check
        /// The starter code of this step (or a step it needs) is still there.
        case notImplemented = "not_implemented"
        /// A program under test crashed (a Swift runtime trap, a segmentation fault).
        case crash
        /// The step ran over its time limit, and its programs were stopped.
        case timeLimit = "time_limit"
        /// The machine, not the code: too few file descriptors, a program not built, a tool missing.
        case machine
        /// The lab's programs do not compile, so no step could run.
        case doesNotCompile = "does_not_compile"
    }

    public var cause: Cause
    /// What went wrong, in a sentence or a few lines.
    public var message: String
    /// A "not implemented" note of a step this one does not need, which the program reached after the failure.
    public var stoppedAt: String?
    /// Advice that replaces the step's own hint (a crash's or the machine's); nil: the step's hint fits.
    public var hint: String?
    /// Commands that replay the step by hand, one per line.
    public var replay: [String]
    /// A packet capture of the checker's connections in the step (`.labcheck/lab3-step2.pcapng`), if it had any.
    public var capture: String?

    public init(
        _ cause: Cause,
        _ message: String,
        stoppedAt: String? = nil,
        hint: String? = nil,
        replay: [String] = [],
        capture: String? = nil
    ) {
        self.cause = cause
        self.message = message
        self.stoppedAt = stoppedAt
        self.hint = hint
        self.replay = replay
        self.capture = capture
    }

    /// The message, and where the program then stopped.
    public var text: String {
        message + (stoppedAt.map { "\n(the program then stopped at: \($0))" } ?? "")
    }
}
