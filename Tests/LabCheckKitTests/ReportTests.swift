import Foundation
import Testing

@testable import LabCheckKit

@Suite struct ReportTests {
    static let lab = Lab(
        number: 3,
        title: "Echo",
        folder: "03-blocking-echo",
        programs: [],
        steps: [Step(1, "echoes", hint: "recv, then sendAll") { _ in }, Step(2, "loops", hint: "loop") { _ in }]
    )

    static func failed(seed: UInt64?) -> StepResult {
        StepResult(
            lab: 3,
            step: lab.steps[0],
            outcome: .failed(
                StepFailure(
                    .notImplemented,
                    "not implemented: step 1 — echo (Sources/Lab3EchoServer/EchoServer.swift:33)",
                    replay: [
                        "make run LAB=3 PROG=echo-server", "make repl ARGS=\"--script .labcheck/lab3-step1.repl\"",
                    ],
                    capture: ".labcheck/lab3-step1.pcapng"
                )
            ),
            duration: .seconds(1),
            seed: seed
        )
    }

    @Test func aFailureEndsWithItsHintReplayCaptureAndSeed() {
        let text = Report(colors: false).line(Self.failed(seed: 301), in: Self.lab)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(
            lines == [
                "✘ 1  echoes",
                "not implemented: step 1 — echo (Sources/Lab3EchoServer/EchoServer.swift:33)",
                "hint: recv, then sendAll — Labs/03-blocking-echo/README.md#step-1",
                "replay: make run LAB=3 PROG=echo-server",
                "make repl ARGS=\"--script .labcheck/lab3-step1.repl\"",
                "capture: .labcheck/lab3-step1.pcapng (the bytes on the wire: open it in Wireshark)",
                "seed: 301 — make check LAB=3 STEP=1 SEED=301 replays this run",
            ]
        )
    }

    @Test func aPassThatCouldNotSeeEverythingSaysSoUnderItsTick() {
        var passed = StepResult(lab: 3, step: Self.lab.steps[0], outcome: .passed, duration: .seconds(1))
        passed.caveats = ["localhost is only 127.0.0.1 on this machine"]
        let lines = Report(colors: false).line(passed, in: Self.lab).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("  ✔ 1  echoes"))
        #expect(lines.last == "       (localhost is only 127.0.0.1 on this machine)")
    }

    @Test func onATerminalPathsAreHyperlinks() {
        let text = Report(colors: true).line(Self.failed(seed: nil), in: Self.lab)
        let directory = FileManager.default.currentDirectoryPath
        #expect(text.contains("\u{1B}]8;;file://"))
        #expect(
            text.contains(
                "\(directory)/Sources/Lab3EchoServer/EchoServer.swift\u{1B}\\Sources/Lab3EchoServer/EchoServer.swift:33\u{1B}]8;;\u{1B}\\"
            )
        )
        #expect(text.contains("\(directory)/Labs/03-blocking-echo/README.md"))
        #expect(!Report(colors: false).line(Self.failed(seed: nil), in: Self.lab).contains("\u{1B}"))
    }

    @Test func repeatedRunsAreCountedByStepWithTheSeedsThatFailed() {
        let passed = StepResult(lab: 3, step: Self.lab.steps[0], outcome: .passed, duration: .zero, seed: 5)
        let second = StepResult(lab: 3, step: Self.lab.steps[1], outcome: .passed, duration: .zero)
        let notRun = StepResult(lab: 3, step: Self.lab.steps[1], outcome: .notRun(needs: [1]), duration: .zero)
        let table = Report(colors: false).repeated(
            Self.lab,
            runs: [[passed, second], [Self.failed(seed: 77), notRun]]
        )
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[2].hasPrefix("  1     1/2          77"))
        #expect(lines[3].hasPrefix("  2     0/1"))
        #expect(lines[3].hasSuffix("(1 not run)"))

        // STEP=2: only its row.
        let onlyTwo = Report(colors: false).repeated(Self.lab, runs: [[second], [second]]).split(separator: "\n")
        #expect(onlyTwo.count == 3 && onlyTwo[2].hasPrefix("  2     0/2"), "\(onlyTwo)")
    }

    @Test func aStepThatFailsAlikeEveryRunSaysWhyInsteadOfSeeds() {
        let table = Report(colors: false).repeated(
            Self.lab,
            runs: [[Self.failed(seed: nil)], [Self.failed(seed: nil)]]
        )
        let row = table.split(separator: "\n").map(String.init)[2]
        #expect(
            row.hasPrefix("  1     2/2          no seed, the same each run: not implemented: step 1 — echo"),
            "\(row)"
        )
        #expect(row.hasSuffix("…"))
    }
}
