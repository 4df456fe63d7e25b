import Foundation

/// One graded run: every lab that was checked (or could not be, for not compiling), the steps' results, the
/// scores. The writers (`GradeFormat`) turn it into the kit's JSON, JUnit XML, Gradescope's results.json or GitHub
/// Classroom's grader result.
public struct Grade: Sendable {
    public struct LabGrade: Sendable {
        public let lab: Lab
        public let results: [StepResult]
        /// The compiler's first error, when the lab's programs did not build (every step then failed).
        public let compileError: String?

        public init(lab: Lab, results: [StepResult], compileError: String? = nil) {
            self.lab = lab
            self.results = results
            self.compileError = compileError
        }

        /// A lab that did not compile: each step (and held-back variant) failed, with the compiler's first error as
        /// its message.
        public init(lab: Lab, doesNotCompile error: String, heldBack: [Step] = []) {
            let message = "the lab's programs do not compile:\n\(error)"
            self.init(
                lab: lab,
                results: (lab.steps + lab.heldBack(heldBack).steps).map {
                    StepResult(
                        lab: lab.number,
                        step: $0,
                        outcome: .failed(
                            StepFailure(
                                .doesNotCompile,
                                message,
                                hint: "make check LAB=\(lab.number) shows every compiler error"
                            )
                        ),
                        duration: .zero
                    )
                },
                compileError: error
            )
        }

        public var score: Int { results.reduce(0) { $0 + $1.score } }
        public var maxScore: Int { results.reduce(0) { $0 + $1.step.points } }
    }

    public let labs: [LabGrade]
    /// The reference solutions were graded, not the student's code.
    public let solution: Bool
    public let duration: Duration
    /// What the grader says before the steps: what it took from a submission (`make grade SUBMISSION=…`).
    public var notes: [String]
    /// The student's progress file, when the graded copy has one: each step's attempts and hints go with its result.
    public var progress: StudentProgress?

    public init(
        labs: [LabGrade],
        solution: Bool,
        duration: Duration,
        notes: [String] = [],
        progress: StudentProgress? = nil
    ) {
        self.labs = labs
        self.solution = solution
        self.duration = duration
        self.notes = notes
        self.progress = progress
    }

    /// What the progress file says about a graded step; nil for a held-back variant, or without a progress file.
    public func progress(of result: StepResult) -> StudentProgress.StepProgress? {
        guard !result.step.heldBack else { return nil }
        return progress?.step(lab: result.lab, step: result.step.number)
    }

    public var score: Int { labs.reduce(0) { $0 + $1.score } }
    public var maxScore: Int { labs.reduce(0) { $0 + $1.maxScore } }
    public var results: [StepResult] { labs.flatMap(\.results) }
}

extension StepResult {
    /// "Lab 3 step 2: title", and "(held back)" for a held-back variant.
    public var name: String {
        "Lab \(lab) step \(step.number)\(step.heldBack ? " (held back)" : ""): \(step.title)"
    }

    /// "3.2", or "3.2h" for a held-back variant: how graders number the tests.
    public var number: String { "\(lab).\(step.number)\(step.heldBack ? "h" : "")" }

    /// "passed", "failed" or "not_run": the kit's JSON status.
    public var status: String {
        switch outcome {
        case .passed: "passed"
        case .failed: "failed"
        case .notRun: "not_run"
        }
    }

    /// What a grader shows for the step: the failure (and why it could not run), the hint, the replay.
    public func explanation(in lab: Lab) -> String? {
        switch outcome {
        case .passed:
            return nil
        case .notRun(let needs):
            return
                "not run: needs step\(needs.count > 1 ? "s" : "") \(needs.map(String.init).joined(separator: ", ")), which did not pass"
        case .failed(let failure):
            var text = failure.text
            if failure.cause == .timeLimit { text = "timed out: " + text }
            text += "\nhint: " + (failure.hint ?? step.hint + " — \(lab.handout)#\(step.anchor)")
            if !failure.replay.isEmpty { text += "\nreplay: " + failure.replay.joined(separator: "\n        ") }
            return text
        }
    }

    /// The end of the step's transcript, for graders that show more than the message.
    public var transcriptExcerpt: String {
        let lines = transcript.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.count > 40 ? ["…"] + lines.suffix(40) : lines[...]).joined(separator: "\n")
    }

    public var seconds: Double { Check.seconds(duration) }
}
