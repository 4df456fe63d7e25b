import Foundation
import LabCheckKit
import LabDevKit

/// The proof's table, one line per mutant, and the summary that ends it: what survived and why, and the time per lab.
struct ProofReport {
    let plan: [MutantPlan.Entry]
    let rows: [Int: Row]
    let baselines: [Int: Verdict]
    let labs: [Lab]
    let strays: [MutantPlan.Stray]
    let missingStarters: [String]
    let transcripts: String
    let total: Double

    static let header =
        column("lab", 3) + "  " + column("mutant (file:declaration)", 58) + "  " + column("steps", 7)
        + "  " + column("verdict", 30) + "  " + "build s  check s"

    static func line(_ entry: MutantPlan.Entry, _ row: Row, retried: Bool) -> String {
        column("\(entry.lab.number)", 3, right: true) + "  " + column(entry.mutant.label, 58) + "  "
            + column(steps(entry.mutant.steps), 7) + "  "
            + column((retried ? "again, alone: " : "") + short(row.verdict), 30) + "  "
            + column(row.buildSeconds > 0 ? format(row.buildSeconds) : "", 7, right: true) + "  "
            + column(row.checkSeconds > 0 ? format(row.checkSeconds) : "", 7, right: true)
    }

    /// `--list`: the mutants and what they name, without building anything.
    static func listing(_ plan: MutantPlan) -> String {
        var lines = [
            column("lab", 3) + "  " + column("mutant (file:declaration)", 58) + "  " + column("steps", 7) + "  line"
        ]
        for entry in plan.entries {
            let problem = entry.mutant.problem.map { "  " + describe($0) } ?? ""
            lines.append(
                column("\(entry.lab.number)", 3, right: true) + "  " + column(entry.mutant.label, 58) + "  "
                    + column(steps(entry.mutant.steps), 7) + "  \(entry.mutant.declaration.line)" + problem
            )
        }
        lines.append("\(plan.entries.count) mutants.")
        lines += strayLines(plan.strays)
        return lines.joined(separator: "\n")
    }

    var holds: Bool {
        labs.allSatisfy { lab in
            if case .survived = baselines[lab.number] { return true }
            return false
        } && plan.allSatisfy { rows[$0.id]?.verdict.holds == true } && missingStarters.isEmpty
            && unprovenSteps.isEmpty
    }

    var summary: String {
        var lines: [String] = []
        let failing = plan.filter { rows[$0.id]?.verdict.holds != true }
        for entry in failing {
            guard let row = rows[entry.id] else { continue }
            let mutant = entry.mutant
            lines.append(
                "\(Self.short(row.verdict).uppercased()) · lab \(entry.lab.number) · \(mutant.starterPath):\(mutant.declaration.line) "
                    + "· \(mutant.declaration.qualifiedName) · names \(Self.steps(mutant.steps, long: true))"
            )
            lines.append(Self.indented(Self.describe(row.verdict, mutant: mutant)))
            if let first = row.firstRun {
                lines.append("    (checked alone after the first run, which said: \(Self.short(first)))")
            }
            if case .survived = row.verdict {
                lines.append("    transcript: \(transcripts)/\(entry.id).log")
            } else if case .wrongStep = row.verdict {
                lines.append("    transcript: \(transcripts)/\(entry.id)\(row.firstRun == nil ? "" : "-again").log")
            }
        }
        for path in missingStarters {
            lines.append("MISSING STARTER · \(path): the reference module has no starter twin")
        }
        lines += Self.strayLines(strays)
        lines += unprovenSteps

        lines.append("")
        for lab in labs {
            let entries = plan.filter { $0.lab.number == lab.number }
            let labRows = entries.compactMap { rows[$0.id] }
            let killed = labRows.filter(\.verdict.holds).count
            let build = labRows.map(\.buildSeconds).reduce(0, +)
            let check = labRows.map(\.checkSeconds).reduce(0, +)
            var baseline = ""
            if let verdict = baselines[lab.number], !isPass(verdict) {
                baseline = " · THE REFERENCE FAILS: \(Self.short(verdict))"
            }
            lines.append(
                "lab \(lab.number): \(killed)/\(entries.count) mutants killed · build \(format(build)) s, checks \(format(check)) s\(baseline)"
            )
        }
        let counts = Dictionary(grouping: plan.compactMap { rows[$0.id]?.verdict }, by: Self.kind).mapValues(\.count)
        let order = ["killed", "survived", "fails an unnamed step", "broken", "no mutant", "checker failed"]
        let tally = order.compactMap { kind in counts[kind].map { "\($0) \(kind)" } }.joined(separator: ", ")
        lines.append("\(plan.count) mutants: \(tally) · \(format(total)) s in all (\(Self.minutes(total)))")
        lines.append(
            holds
                ? "The proof holds: every starter body's missing work fails a step its TODO names, and every step is the "
                    + "first to fail for some body's missing work."
                : "The proof does not hold: see above."
        )
        return lines.joined(separator: "\n")
    }

    /// Steps at which no mutant fails first: a body that names several steps fails at one of them, so the others
    /// are not proven by this run (and a step no TODO names, never). The proof fails with any: such a step's check
    /// could pass with its own work missing, and nothing here would say so.
    private var unprovenSteps: [String] {
        var lines: [String] = []
        for lab in labs {
            let entries = plan.filter { $0.lab.number == lab.number }
            let killedAt = Set(
                entries.compactMap { entry -> Int? in
                    if case .killed(let step) = rows[entry.id]?.verdict { return step }
                    return nil
                }
            )
            let unproven = lab.steps.map(\.number).filter { !killedAt.contains($0) }.map { step in
                let naming = entries.filter { $0.mutant.steps.contains(step) }.map(\.mutant.declaration.qualifiedName)
                return "step \(step) (" + (naming.isEmpty ? "no TODO names it" : naming.joined(separator: ", ")) + ")"
            }
            if !unproven.isEmpty { lines.append("  lab \(lab.number): " + unproven.joined(separator: "; ")) }
        }
        guard !lines.isEmpty else { return [] }
        return [
            "UNPROVEN STEPS · no mutant fails first at them (their bodies fail first at another step they name, or survive):"
        ] + lines
    }

    private func isPass(_ verdict: Verdict) -> Bool {
        if case .survived = verdict { return true }
        return false
    }

    // MARK: Wording

    private static func kind(_ verdict: Verdict) -> String {
        switch verdict {
        case .killed: "killed"
        case .survived: "survived"
        case .wrongStep: "fails an unnamed step"
        case .broken: "broken"
        case .problem: "no mutant"
        case .checkerFailed: "checker failed"
        }
    }

    static func short(_ verdict: Verdict) -> String {
        switch verdict {
        case .killed(let step): "killed at step \(step)"
        case .survived(let through): "survived (passes 1–\(through))"
        case .wrongStep(let step, _): "fails step \(step) first"
        case .broken: "broken: does not compile"
        case .problem(let problem): describe(problem)
        case .checkerFailed: "checker failed"
        }
    }

    static func describe(_ verdict: Verdict, mutant: Mutant? = nil) -> String {
        switch verdict {
        case .killed(let step):
            "step \(step) fails, as it should"
        case .survived(let through):
            "with this body as the starter has it, steps 1–\(through) all pass: no check notices the missing work"
        case .wrongStep(let step, let failure):
            "step \(step) fails first, which the body does not name — the check said:\n" + indented(failure)
        case .broken(let errors):
            "the reference with this body reverted does not compile:\n" + indented(errors)
        case .problem(let problem):
            describe(problem)
        case .checkerFailed(let why):
            why
        }
    }

    static func describe(_ problem: Mutant.Problem) -> String {
        switch problem {
        case .noReferenceFile: "no reference file at the mirrored path"
        case .noCounterpart: "no declaration like it in the reference file"
        case .sameAsReference: "the reference body is the same: nothing to revert"
        case .namesNoStep: "its TODOs name no step"
        }
    }

    private static func strayLines(_ strays: [MutantPlan.Stray]) -> [String] {
        strays.map { stray in
            "note · lab \(stray.lab) · \(stray.path):\(stray.label.line): a TODO outside any body (\(steps(stray.label.steps, long: true))) — no mutant covers it"
        }
    }

    static func steps(_ steps: [Int], long: Bool = false) -> String {
        if steps.isEmpty { return long ? "no step" : "–" }
        let list = steps.map(String.init).joined(separator: long ? ", " : " ")
        return long ? (steps.count == 1 ? "step " : "steps ") + list : list
    }

    private static func minutes(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return "\(whole / 60) min \(whole % 60) s"
    }

    static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).prefix(14).map { "    " + $0 }.joined(
            separator: "\n"
        )
    }

    private static func column(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
