import ArgumentParser
import Foundation
import LabCheckKit
import LabSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// `make reset LAB=n [STEP=k] [FORCE=1]`: the lab's starter code put back from git — every file, or only the
/// functions of step k — after saving the student's versions under `.labcheck/saved/<time>/`. Asks first, unless
/// told to go ahead; without a terminal to ask in, it refuses and says how to go ahead.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Put back a lab's starter code, or only one step's functions (make reset LAB=n [STEP=k] [FORCE=1])."
    )

    @Option(help: "The lab (1–\(allLabs.count)).")
    var lab: Int

    @Option(help: "Only the functions whose starter bodies name this step.")
    var step: Int?

    @Flag(help: "Do not ask before overwriting (your versions are saved all the same).")
    var force = false

    @Option(help: "Where .labcheck is: the saved copies go to its saved/ folder.")
    var transcripts = ".labcheck"

    func validate() throws {
        let found = try ProgramOptions.lab(lab)
        if let step, found.step(step) == nil {
            throw Failure("lab \(lab) has no step \(step): its steps are 1–\(found.steps.count)")
        }
    }

    func run() throws {
        let lab = try ProgramOptions.lab(self.lab)
        let reset = StarterReset(lab: lab, step: step)
        let changes: [StarterReset.Change]
        do {
            changes = try reset.plan()
        } catch let problem as ResetProblem {
            throw Failure("\(problem)")
        }
        let what = step.map { "lab \(lab.number) step \($0)" } ?? "lab \(lab.number)"
        let untracked = (try? reset.untrackedFiles()) ?? []
        let keeping =
            untracked.isEmpty ? "" : "\nLeft as they are (yours, not in git): " + untracked.joined(separator: ", ")
        let writing = changes.filter { $0.current != $0.result }
        guard !writing.isEmpty else {
            for change in changes { print(missingNote(change)) }
            print(
                "Nothing to put back: \(what) is as the starter has it\(step == nil ? "" : " (every function of that step)").\(keeping)"
            )
            return
        }
        print(
            step == nil
                ? "make reset puts back the starter of \(what) · \(lab.title):"
                : "make reset puts back the starter's body of step \(step!)'s functions, and nothing else:"
        )
        for change in changes { print(describe(change)) }
        print("Your versions are saved first, under \(transcripts)/saved/.\(keeping)")
        guard try force || confirm() else {
            print("Nothing changed.")
            return
        }
        let saved: String?
        do {
            saved = try reset.apply(changes, savedIn: transcripts)
        } catch {
            throw Failure("could not put the starter back: \(error)")
        }
        print(
            "Done: \(writing.count) file\(writing.count == 1 ? "" : "s") put back"
                + (saved.map { "; your versions are in \($0)/" } ?? "") + "."
        )
        print("Check again with: make check LAB=\(lab.number)" + (step.map { " STEP=\($0)" } ?? ""))
    }

    /// `  Sources/Lab3EchoServer/EchoServer.swift  (from 1a2b3c4 "…")`, and with a step the functions.
    private func describe(_ change: StarterReset.Change) -> String {
        var line = "  \(change.path)"
        if change.current == nil {
            line += "  (missing: put back whole)"
        } else if step != nil {
            let functions = change.functions.map { name, steps in
                name + (steps.count > 1 ? " (steps \(steps.map(String.init).joined(separator: ", ")))" : "")
            }
            line += ": " + (functions.isEmpty ? "nothing" : functions.joined(separator: ", "))
        }
        line += "  — the starter of \(change.commit)"
        let note = missingNote(change)
        return note.isEmpty ? line : line + "\n" + note
    }

    private func missingNote(_ change: StarterReset.Change) -> String {
        guard !change.missing.isEmpty else { return "" }
        return "    not in your file any more, so not put back: " + change.missing.joined(separator: ", ")
            + " — the starter's version: git show \(change.commit.split(separator: " ").first ?? ""):\(change.path)"
    }

    /// Asks on the terminal; without one (a script, an editor's task), says how to go ahead instead.
    private func confirm() throws -> Bool {
        guard isatty(STDIN_FILENO) == 1 else {
            let command = "make reset LAB=\(lab)" + (step.map { " STEP=\($0)" } ?? "") + " FORCE=1"
            throw Failure(
                "there is no terminal here to ask in, so nothing changed — to go ahead (your versions are saved first): \(command)"
            )
        }
        StandardStream.output.write("Overwrite? [y/N] ")
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }
}
