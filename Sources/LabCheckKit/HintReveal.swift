/// `make hint` and `h` in `make watch`: a step's hints up to the next one not yet seen, which the progress file then
/// records as seen.
public enum HintReveal {
    public static func text(for step: Step, of lab: Lab, progress: StudentProgress, colors: Bool) -> String {
        let record = progress.step(lab: lab.number, step: step.number)
        // The first layer shows with every failure: a step that failed has seen it.
        let seen = max(record.hintsSeen, record.attempts > 0 || record.lastPassed == false ? 1 : 0)
        let next = min(seen + 1, step.hints.count)
        var lines = ["Lab \(lab.number) step \(step.number): \(step.title)"]
        for (index, hint) in step.hints.prefix(next).enumerated() {
            let fresh = index + 1 == next && index + 1 > seen
            let label = "hint \(index + 1) of \(step.hints.count)" + (fresh ? " (new)" : "")
            lines.append("  " + (colors && fresh ? "\u{1B}[33m\(label):\u{1B}[0m " : "\(label): ") + hint)
        }
        if seen >= step.hints.count {
            lines.append(
                "  That was the last hint. The handout explains the step: \(lab.handout)#\(step.anchor); the checker's transcript shows what happened: .labcheck/lab\(lab.number).log"
            )
        } else if next < step.hints.count {
            lines.append("  (another: make hint LAB=\(lab.number) STEP=\(step.number))")
        }
        if next > seen { try? progress.recordHint(next, lab: lab.number, step: step.number) }
        return lines.joined(separator: "\n")
    }
}
