/// How one mutant fared.
public enum Verdict: Sendable, Equatable {
    /// The check failed first at a step the body names: the proof holds for this body.
    case killed(step: Int)
    /// Every step up to the last one the body names passed.
    case survived(through: Int)
    /// The check failed first at a step the body does not name.
    case wrongStep(Int, failure: String)
    /// The mutant does not compile: the starter and the reference disagree around this body.
    case broken(errors: String)
    /// No mutant could be made.
    case problem(Mutant.Problem)
    /// The checker itself did not report (it crashed, or ran out of time).
    case checkerFailed(String)

    public var holds: Bool {
        if case .killed = self { return true }
        return false
    }

    /// Judges a check's run, step by step up to its first failure (`failure` nil for a step that passed), against
    /// the steps the body names. With no step named, a run that passes is `survived`: what a reference must do.
    public static func judge(_ run: [(step: Int, failure: String?)], naming named: [Int]) -> Verdict {
        guard let failed = run.first(where: { $0.failure != nil }) else {
            return .survived(through: run.last?.step ?? 0)
        }
        if named.contains(failed.step) { return .killed(step: failed.step) }
        return .wrongStep(failed.step, failure: failed.failure ?? "")
    }
}
