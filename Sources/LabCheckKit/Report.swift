import Foundation

/// The checker's output, as a student reads it:
///
///     Lab 3 · Blocking echo
///       ✔ 1  server accepts a client and echoes one message          0.2s
///       ✘ 2  server echoes until the client closes
///            sent 3 messages, got 1 back, then the connection closed
///            hint: keep calling recv() until it returns an empty result — Labs/03-blocking-echo/README.md#step-2
///            replay: make run LAB=3 PROG=echo-server    # in one terminal
///                    make repl ARGS="--script .labcheck/lab3-step2.repl"    # in another: the checker's side
///       · 3  sends and receives 1 MiB intact — not run: needs step 2
///     Score: 1/5 steps · transcript: .labcheck/lab3.log
public struct Report: Sendable {
    public let colors: Bool

    public init(colors: Bool) {
        self.colors = colors
    }

    private static let titleWidth = 60

    public func header(_ lab: Lab) -> String {
        bold("Lab \(lab.number) · \(lab.title)")
    }

    public func line(_ result: StepResult, in lab: Lab) -> String {
        let step = result.step
        let number = String(step.number)
        switch result.outcome {
        case .passed:
            let padded = step.title.padding(
                toLength: max(step.title.count, Self.titleWidth),
                withPad: " ",
                startingAt: 0
            )
            let caveats = result.caveats.map { "\n" + String(repeating: " ", count: 6 + number.count) + dim("(\($0))") }
            return "  \(green("✔")) \(number)  \(padded) \(dim(seconds(result.duration)))" + caveats.joined()
        case .failed(let failure):
            let indent = String(repeating: " ", count: 6 + number.count)
            let body = failure.text.split(separator: "\n", omittingEmptySubsequences: false).map { indent + $0 }
            let more =
                failure.hint == nil && !step.moreHints.isEmpty
                ? dim(" (another hint: make hint LAB=\(lab.number) STEP=\(step.number))") : ""
            let hint =
                indent + yellow("hint: ") + (failure.hint ?? step.hint + " — \(lab.handout)#\(step.anchor)") + more
            let replay = failure.replay.enumerated().map { index, command in
                indent + (index == 0 ? dim("replay: ") : "        ") + command
            }
            let capture =
                failure.capture.map {
                    [indent + dim("capture: ") + $0 + " (the bytes on the wire: open it in Wireshark)"]
                } ?? []
            let seed =
                result.seed.map {
                    [
                        indent + dim("seed: ")
                            + "\($0) — make check LAB=\(lab.number) STEP=\(step.number) SEED=\($0) replays this run"
                    ]
                } ?? []
            return linked(
                (["  \(red("✘")) \(number)  \(step.title)"] + body + [hint] + replay + capture + seed)
                    .joined(separator: "\n")
            )
        case .notRun(let needs):
            let list = needs.map(String.init).joined(separator: ", ")
            return dim("  · \(number)  \(step.title) — not run: needs step\(needs.count > 1 ? "s" : "") \(list)")
        }
    }

    public func summary(_ lab: Lab, _ results: [StepResult], transcript: String) -> String {
        let earned = results.reduce(0) { $0 + $1.score }
        let most = results.reduce(0) { $0 + $1.step.points }
        let unit = results.allSatisfy { $0.step.points == 1 } ? " step" + (results.count == 1 ? "" : "s") : " points"
        let score = "Score: \(earned)/\(most)\(unit)"
        return (results.allSatisfy(\.passed) ? green(score) : score) + " · transcript: \(transcript)"
    }

    /// The student's own checks (`Labs/NN-…/my-checks`, see `OwnChecks`), printed after the lab's steps: a header,
    /// then `line` for each, then this summary. Apart from the score, which they are not part of.
    public func ownChecksHeader(_ folder: String) -> String {
        bold("Your own checks") + dim(" · \(folder) (not scored)")
    }

    public func ownChecksSummary(_ results: [StepResult]) -> String {
        let passed = results.filter(\.passed).count
        let text = "Your own checks: \(passed)/\(results.count) passed"
        return passed == results.count ? green(text) : text
    }

    /// `REPEAT=n`: how often each step failed over n runs with fresh seeds, and the seeds that failed — how a bug that
    /// shows one run in twenty is found (and then replayed with SEED=s).
    public func repeated(_ lab: Lab, runs: [[StepResult]]) -> String {
        var lines = [bold("Lab \(lab.number) · \(lab.title): \(runs.count) runs with fresh seeds")]
        lines.append("  step  failed/runs  seeds that failed")
        for step in lab.steps {
            let results = runs.compactMap { run in run.first { $0.step.number == step.number } }
            if results.isEmpty { continue }  // STEP=k: the other steps were not asked for
            let failed = results.filter { $0.stepFailure != nil }
            let notRun = results.filter { if case .notRun = $0.outcome { true } else { false } }.count
            let seeds = failed.compactMap(\.seed).map(String.init)
            var shown = seeds.prefix(8).joined(separator: " ") + (seeds.count > 8 ? " …" : "")
            // A check that draws nothing from a seed fails alike every time: say why, not an empty column.
            if seeds.isEmpty, let first = failed.first?.stepFailure {
                let why = first.message.split(separator: "\n").first.map(String.init) ?? ""
                shown = dim("no seed, the same each run: ") + (why.count > 70 ? why.prefix(69) + "…" : why)
            }
            let count = "\(failed.count)/\(results.count - notRun)".padding(toLength: 11, withPad: " ", startingAt: 0)
            let mark = failed.isEmpty ? green(count) : red(count)
            lines.append(
                "  \(String(step.number).padding(toLength: 4, withPad: " ", startingAt: 0))  \(mark)  \(shown)"
                    + (notRun > 0 ? dim("  (\(notRun) not run)") : "")
            )
        }
        return lines.joined(separator: "\n")
    }

    /// `make check` without LAB: each lab's progress as the progress file tells it, and the next step to do.
    public func progress(_ lab: Lab, from progress: StudentProgress) -> String {
        let steps = lab.steps.map { progress.step(lab: lab.number, step: $0.number) }
        let passed = steps.filter { $0.firstPassed != nil }.count
        let bar = steps.map { $0.firstPassed != nil ? green("■") : "□" }.joined()
        let title = "Lab \(lab.number) · \(lab.title)".padding(toLength: 34, withPad: " ", startingAt: 0)
        let next: String
        if passed == lab.steps.count {
            next = "done"
        } else if steps.allSatisfy({ $0.lastPassed == nil }) {
            next = "not started — \(lab.handout)"
        } else {
            let step = lab.steps[steps.firstIndex { $0.firstPassed == nil }!]
            next = "next: step \(step.number), \(step.title) — \(lab.handout)#\(step.anchor)"
        }
        return linked("\(title) \(bar) \(passed)/\(lab.steps.count)  " + dim(next))
    }

    /// One line per lab after checking it: the student's progress at a glance.
    public func progress(_ lab: Lab, _ results: [StepResult]) -> String {
        let passed = results.filter(\.passed).count
        let bar = results.map { $0.passed ? green("■") : "□" }.joined()
        let title = "Lab \(lab.number) · \(lab.title)".padding(toLength: 34, withPad: " ", startingAt: 0)
        let next = results.first { !$0.passed }.map { "  next: step \($0.step.number), \($0.step.title)" } ?? "  done"
        return "\(title) \(bar) \(passed)/\(results.count)" + dim(next)
    }

    private func seconds(_ duration: Duration) -> String {
        let value = duration / .seconds(1)
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)s"
    }

    /// On a terminal, every kit path in `text` (`Sources/Lab1Greeting/Human.swift:22`, a handout, a capture) becomes
    /// a hyperlink (OSC 8) to the file, which the terminal opens on a click; elsewhere the text stays plain.
    func linked(_ text: String) -> String {
        guard colors else { return text }
        let directory = FileManager.default.currentDirectoryPath
        let host = ProcessInfo.processInfo.hostName
        return text.replacing(#/(?:Sources|Solutions|Labs|\.labcheck)/[^\s:()"#]+(?::\d+(?::\d+)?)?/#) { match in
            let shown = String(match.output)
            let file = shown.split(separator: ":").first.map(String.init) ?? shown
            let path = "\(directory)/\(file)".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ""
            let url = "file://\(host)\(path)"
            return "\u{1B}]8;;\(url)\u{1B}\\\(shown)\u{1B}]8;;\u{1B}\\"
        }
    }

    private func paint(_ text: String, _ code: String) -> String { colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    private func green(_ text: String) -> String { paint(text, "32") }
    private func red(_ text: String) -> String { paint(text, "31") }
    private func yellow(_ text: String) -> String { paint(text, "33") }
    private func bold(_ text: String) -> String { paint(text, "1") }
    private func dim(_ text: String) -> String { paint(text, "2") }
}
