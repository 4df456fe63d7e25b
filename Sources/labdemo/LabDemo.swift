import ArgumentParser
import Foundation
import LabSupport
import ProcessKit

/// `make demo`: a tour of the reference programs, lab by lab, each talking to the others over real sockets on
/// loopback. Every command is shown as you would type it, with what it printed.
@main
struct LabDemo: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "labdemo",
        abstract: "Run the reference programs of every lab, end to end."
    )

    @Option(
        help:
            "Where the reference programs and telegram-sandbox are: the build's (swift build --show-bin-path), or the student copy's Labs/reference/PLATFORM."
    )
    var binDir: String

    @Option(help: "Show only this lab.")
    var lab: Int?

    func run() throws {
        ChildProcess.stopAllOnInterrupt()
        guard FileManager.default.fileExists(atPath: binDir + "/lab1-greeting-solution") else {
            let folder = URL(fileURLWithPath: binDir).deletingLastPathComponent().path
            let others = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.sorted() ?? []
            print(
                "The tour runs the reference programs, and this copy of the kit has none for this machine (\(binDir) is missing"
                    + (others.isEmpty ? ")." : "; it has them for \(others.joined(separator: ", "))).")
                    + " Your teacher can make a copy on a machine like yours (make student-kit)."
            )
            print("Start with Labs/01-oo-greeting/README.md and `make check LAB=1`.")
            throw ExitCode.failure
        }
        let tour = Tour(binDirectory: binDir)
        for (number, section) in tourSections where lab == nil || lab == number {
            do {
                try section(tour)
            } catch {
                tour.fail("\(error)")
            }
            tour.endSection()
        }
        guard tour.failures.isEmpty else {
            print("\nThe tour stopped short: \(tour.failures.count) problem(s) above.")
            throw ExitCode.failure
        }
        print(
            "\nEvery lab's reference programs ran as expected. Next: make check LAB=1, and Labs/01-oo-greeting/README.md"
        )
    }
}

/// The tour's sections in order, one per lab.
let tourSections: [(Int, @Sendable (Tour) throws -> Void)] = [
    (1, lab1Tour), (2, lab2Tour), (3, lab3Tour), (4, lab4Tour), (5, lab5Tour), (6, lab6Tour),
]
