import ArgumentParser
import DoctorKit
import Foundation
import LabSupport

/// `make doctor`: is this machine ready for the labs? One line per requirement, with the fix for each one that is
/// not; the exit status is 1 when something a lab needs is missing.
@main
struct LabDoctor: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "labdoctor",
        abstract: "Check that this machine has what the labs need (make doctor)."
    )

    @Option(help: "The kit's folder: its disk and its path are checked too.")
    var packageDir = "."

    @Option(help: "The Swift command make uses.")
    var swift = "swift"

    func run() throws {
        let findings = Doctor(packageDirectory: packageDir, swift: swift).examine()
        let colours = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        for finding in findings { print(colours ? painted(finding) : finding.description) }

        let missing = findings.filter { $0.status == .missing }.count
        let advice = findings.filter { $0.status == .advice }.count
        print("")
        if missing > 0 {
            print(
                "\(missing) thing\(missing == 1 ? "" : "s") the labs need \(missing == 1 ? "is" : "are") missing: fix the ✗ lines, then run make doctor again."
            )
            print("Or work in the dev container, where everything is ready: README.md, \"Every laptop\".")
            throw ExitCode(1)
        }
        print("Everything the labs need is here." + (advice > 0 ? " The ! lines are worth a look." : ""))
    }

    private func painted(_ finding: Finding) -> String {
        let colour =
            switch finding.status {
            case .ok: "\u{1B}[32m"
            case .advice: "\u{1B}[33m"
            case .missing: "\u{1B}[31m"
            }
        return colour + finding.description + "\u{1B}[0m"
    }
}
