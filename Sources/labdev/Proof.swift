import Foundation
import LabCheckKit
import LabDevKit
import ProcessKit
import Synchronization

struct Row: Sendable {
    let entry: Int
    let verdict: Verdict
    let buildSeconds: Double
    let checkSeconds: Double
    /// The first run's verdict, when a wrong-step verdict was checked again alone.
    var firstRun: Verdict?
}

/// Runs the proof: builds each mutant in the tree, one at a time, while up to `jobs` checks of the mutants built
/// before it run beside the build.
final class Proof: Sendable {
    let plan: [MutantPlan.Entry]
    let strays: [MutantPlan.Stray]
    let missingStarters: [String]
    let labs: [Lab]
    let tree: MutantTree
    let jobs: Int

    private let rows = Mutex<[Int: Row]>([:])
    private let printed = Mutex<Int>(0)
    private let baselines = Mutex<[Int: Verdict]>([:])
    private let checkSlots: DispatchSemaphore
    /// Mutants built and not yet checked, so the builder never runs far ahead (each holds a copy of its programs).
    private let backlog: DispatchSemaphore
    private let checks = DispatchGroup()

    init(plan: MutantPlan, labs: [Lab], tree: MutantTree, jobs: Int) {
        self.plan = plan.entries
        strays = plan.strays
        missingStarters = plan.missingStarters
        self.labs = labs
        self.tree = tree
        self.jobs = jobs
        checkSlots = DispatchSemaphore(value: jobs)
        backlog = DispatchSemaphore(value: jobs + 2)
    }

    /// True when every mutant was killed and every reference passes.
    func run() throws -> Bool {
        let started = ContinuousClock.now
        let written = try tree.sync()
        print(
            "Mutant tree: \(tree.tree.relativePath(from: tree.root)) (files updated: \(written)). Building the reference programs…"
        )

        // The reference programs and the tools the checks need, unmutated.
        var products: [String] = []
        for lab in labs {
            for product in lab.programs.map({ lab.product($0, solution: true) }) + lab.tools
            where !products.contains(product) {
                products.append(product)
            }
        }
        let firstBuild = ContinuousClock.now
        for product in products {
            let build = tree.build(product)
            guard build.succeeded else {
                print("The reference does not compile (\(product)):\n\(build.errors)")
                return false
            }
        }
        let bin = try tree.binPath()
        try tree.copy(products, from: bin, to: tree.referenceBin)
        try? FileManager.default.removeItem(at: tree.transcripts)
        try? FileManager.default.removeItem(at: tree.mutantBins)
        print(
            "Built in \(format(seconds(ContinuousClock.now - firstBuild))) s. \(plan.count) mutants in \(labs.count) lab(s).\n"
        )
        print(ProofReport.header)

        for lab in labs {
            check(lab: lab, binDirectory: tree.referenceBin, naming: [], name: "lab\(lab.number)-reference") {
                verdict,
                time in
                self.baselines.withLock { $0[lab.number] = verdict }
                if case .survived = verdict { return }
                print("lab \(lab.number): THE REFERENCE FAILS — \(ProofReport.describe(verdict)) (\(format(time)) s)")
            }
        }

        for entry in plan {
            try prove(entry, bin: bin)
        }
        checks.wait()

        // A check that failed at an unnamed step (or did not report) while others ran beside it is run again alone:
        // a survivor must be the code's doing, not the machine's.
        for entry in plan {
            guard let row = rows.withLock({ $0[entry.id] }), Self.worthAnotherRun(row.verdict) else { continue }
            let folder = tree.mutantBins.appendingPathComponent("\(entry.id)")
            let (again, time) = runCheck(
                lab: entry.lab,
                binDirectory: folder,
                naming: entry.mutant.steps,
                name: "\(entry.id)-again"
            )
            var retried = Row(
                entry: entry.id,
                verdict: again,
                buildSeconds: row.buildSeconds,
                checkSeconds: row.checkSeconds + time
            )
            retried.firstRun = row.verdict
            rows.withLock { $0[entry.id] = retried }
            print(ProofReport.line(entry, retried, retried: true))
        }
        try? FileManager.default.removeItem(at: tree.mutantBins)

        let all = rows.withLock { $0 }
        let report = ProofReport(
            plan: plan,
            rows: all,
            baselines: baselines.withLock { $0 },
            labs: labs,
            strays: strays,
            missingStarters: missingStarters,
            transcripts: tree.transcripts.relativePath(from: tree.root),
            total: seconds(ContinuousClock.now - started)
        )
        print(report.summary)
        return report.holds
    }

    /// Builds one mutant and hands it to a check.
    private func prove(_ entry: MutantPlan.Entry, bin: URL) throws {
        guard let text = entry.mutant.text else {
            finish(
                Row(
                    entry: entry.id,
                    verdict: .problem(entry.mutant.problem ?? .noCounterpart),
                    buildSeconds: 0,
                    checkSeconds: 0
                )
            )
            return
        }
        backlog.wait()
        let original = try Data(contentsOf: tree.tree.appendingPathComponent(entry.referencePath))
        try tree.write(text, to: entry.referencePath)
        var buildSeconds = 0.0
        var errors: String?
        for product in entry.module.products {
            let build = tree.build(product)
            buildSeconds += build.seconds
            if !build.succeeded {
                errors = build.errors
                break
            }
        }
        try tree.write(Array(original), to: entry.referencePath)
        if let errors {
            backlog.signal()
            finish(Row(entry: entry.id, verdict: .broken(errors: errors), buildSeconds: buildSeconds, checkSeconds: 0))
            return
        }
        let lab = entry.lab
        let built = buildSeconds
        let others = lab.programs.map { lab.product($0, solution: true) } + lab.tools
        let folder = try tree.mutantBin(entry.id, rebuilt: entry.module.products, from: bin, others: others)
        check(lab: lab, binDirectory: folder, naming: entry.mutant.steps, name: "\(entry.id)") { verdict, time in
            // Its programs are kept only for a second run.
            if !Self.worthAnotherRun(verdict) { try? FileManager.default.removeItem(at: folder) }
            self.backlog.signal()
            self.finish(Row(entry: entry.id, verdict: verdict, buildSeconds: built, checkSeconds: time))
        }
    }

    private static func worthAnotherRun(_ verdict: Verdict) -> Bool {
        switch verdict {
        case .wrongStep, .checkerFailed: true
        default: false
        }
    }

    /// Runs a check in the background once a slot is free; `done` gets its verdict and how long it took.
    private func check(
        lab: Lab,
        binDirectory: URL,
        naming steps: [Int],
        name: String,
        done: @escaping @Sendable (Verdict, Double) -> Void
    ) {
        checks.enter()
        DispatchQueue.global().async {
            self.checkSlots.wait()
            let (verdict, time) = self.runCheck(lab: lab, binDirectory: binDirectory, naming: steps, name: name)
            self.checkSlots.signal()
            done(verdict, time)
            self.checks.leave()
        }
    }

    /// Runs `labdev check-mutant` in a process of its own, up to the last step the body names (every step when it
    /// names none: the reference's own check), and judges what it reports.
    private func runCheck(lab: Lab, binDirectory: URL, naming steps: [Int], name: String) -> (Verdict, Double) {
        let started = ContinuousClock.now
        let through = steps.max()
        var arguments = [
            "check-mutant", "--lab", "\(lab.number)", "--bin-dir", binDirectory.path,
            "--transcript", tree.transcripts.appendingPathComponent("\(name).log").path,
        ]
        if let through { arguments += ["--through", "\(through)"] }
        // Each step stops itself after 30 s; this limit is for a checker that does not.
        let timeout = Duration.seconds(40 * lab.steps.filter { through == nil || $0.number <= through! }.count + 30)
        let finished: Children.Finished
        do {
            finished = try Children.run(Self.executable, arguments, timeout: timeout)
        } catch {
            return (.checkerFailed("could not start the check: \(error)"), 0)
        }
        let time = seconds(ContinuousClock.now - started)
        guard let line = finished.standardOutput.split(separator: "\n").last,
            let outcome = try? JSONDecoder().decode(CheckOutcome.self, from: Data(line.utf8))
        else {
            let said = finished.standardError.split(separator: "\n").suffix(8).joined(separator: "\n")
            return (.checkerFailed("the check ended (\(finished.termination)) without a report:\n\(said)"), time)
        }
        if let machine = outcome.machineFailure {
            return (.checkerFailed("step \(machine.number) could not run here: \(machine.failure ?? "")"), time)
        }
        return (Verdict.judge(outcome.run, naming: steps), time)
    }

    /// Records a row, and prints every row whose turn has come (in plan order, whatever order checks end in).
    private func finish(_ row: Row) {
        rows.withLock { $0[row.entry] = row }
        printed.withLock { next in
            while next < plan.count, let row = rows.withLock({ $0[plan[next].id] }) {
                print(ProofReport.line(plan[next], row, retried: false))
                next += 1
            }
        }
    }

    /// This program, to run `check-mutant`.
    static let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
}

func format(_ seconds: Double) -> String {
    String(format: "%.1f", seconds)
}

extension URL {
    func relativePath(from base: URL) -> String {
        let prefix = base.standardizedFileURL.path + "/"
        let path = standardizedFileURL.path
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
