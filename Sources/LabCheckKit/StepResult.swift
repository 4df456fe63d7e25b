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

    public var passed: Bool { outcome == .passed }

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
    /// What kind of failure this is; each kind has its own advice.
    public enum Cause: String, Sendable, Equatable {
        /// The check saw something wrong: its own message says what.
        case check
        /// The starter code of this step (or a step it needs) is still there.
        case notImplemented
        /// A program under test crashed (a Swift runtime trap, a segmentation fault).
        case crash
        /// The step ran over its time limit, and its programs were stopped.
        case timeLimit
        /// The machine, not the code: too few file descriptors, a program not built, a tool missing.
        case machine
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

    public init(
        _ cause: Cause, _ message: String, stoppedAt: String? = nil, hint: String? = nil, replay: [String] = []
    ) {
        self.cause = cause
        self.message = message
        self.stoppedAt = stoppedAt
        self.hint = hint
        self.replay = replay
    }

    /// The message, and where the program then stopped.
    public var text: String {
        message + (stoppedAt.map { "\n(the program then stopped at: \($0))" } ?? "")
    }
}
