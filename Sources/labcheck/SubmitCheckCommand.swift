import ArgumentParser
import Foundation
import LabCheckKit
import LabSupport
import ProcessKit

/// `make submit-check`: before handing in, on one screen — is the work committed (and pushed), and does every
/// lab's check pass? Nothing is written to the progress file: checking would change it, and so the answer.
struct SubmitCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit-check",
        abstract: "Is your work committed, and does every lab pass? (make submit-check)"
    )

    @Option(help: "Only this lab's check (1–\(allLabs.count)); all of them without it.")
    var lab: Int?

    @OptionGroup var options: ProgramOptions

    func validate() throws {
        if let lab { _ = try ProgramOptions.lab(lab) }
    }

    func run() throws {
        ChildProcess.stopAllOnInterrupt()
        signal(SIGPIPE, SIG_IGN)
        let report = Report(colors: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        print("Before handing in")
        let work = WorkStatus.read()
        for line in Self.describe(work) { print(line) }

        var failing: [Int] = []
        for lab in lab.flatMap(Lab.numbered).map({ [$0] }) ?? allLabs {
            if options.buildPrograms(of: lab) != nil {
                print(
                    "Lab \(lab.number) · \(lab.title)".padding(toLength: 34, withPad: " ", startingAt: 0)
                        + " does not compile — make check LAB=\(lab.number) shows the errors"
                )
                failing.append(lab.number)
                continue
            }
            let transcript = Transcript()
            let results = options.runner(for: lab).run(transcript: transcript)
            try? transcript.write(to: options.transcriptPath(for: lab))
            print(report.progress(lab, results))
            if !results.allSatisfy(\.passed) { failing.append(lab.number) }
        }

        var todo: [String] = []
        if let work, !work.committed { todo.append("commit your changes") }
        if let unpushed = work?.unpushed, unpushed > 0 { todo.append("push") }
        if !failing.isEmpty {
            todo.append(
                "finish lab\(failing.count == 1 ? "" : "s") \(failing.map(String.init).joined(separator: ", ")) (make check LAB=\(failing[0]))"
            )
        }
        if todo.isEmpty {
            print(
                work == nil
                    ? "✓ Every lab passes."
                    : "✓ Ready to hand in: everything is committed\(work?.unpushed == nil ? "" : " and pushed"), and every lab passes."
            )
        } else {
            print("✗ Not ready yet: " + todo.joined(separator: "; ") + ".")
            throw ExitCode.failure
        }
    }

    /// The git lines: what is not committed, with the command that commits it; what is not pushed.
    static func describe(_ work: WorkStatus?) -> [String] {
        guard let work else {
            return [
                "  ? This folder is not in a git repository (or git is missing): hand in as your course says, e.g. upload the kit's folder or a zip of it."
            ]
        }
        func list(_ paths: [String]) -> String {
            paths.prefix(4).joined(separator: ", ") + (paths.count > 4 ? ", … (\(paths.count - 4) more)" : "")
        }
        var lines: [String] = []
        if work.committed {
            lines.append("  ✓ Everything is committed" + (work.lastCommit.map { ": last commit \($0)" } ?? "."))
        } else {
            if !work.changed.isEmpty {
                lines.append(
                    "  ✗ \(work.changed.count) file\(work.changed.count == 1 ? "" : "s") changed since your last commit: \(list(work.changed))"
                )
            }
            if !work.untracked.isEmpty {
                lines.append(
                    "  ✗ \(work.untracked.count) new file\(work.untracked.count == 1 ? "" : "s") git does not know yet: \(list(work.untracked))"
                )
            }
            lines.append(
                "    Commit them: git add -A && git commit -m \"…\" (the checks below ran on your files as they are now)"
            )
        }
        switch work.unpushed {
        case nil:
            lines.append(
                "  ? This branch has no upstream: if your course grades a GitHub repository, git push -u origin HEAD"
            )
        case 0?: lines.append("  ✓ Pushed: your last commit is on the remote.")
        case let count?: lines.append("  ✗ \(count) commit\(count == 1 ? "" : "s") not pushed yet: git push")
        }
        return lines
    }
}
