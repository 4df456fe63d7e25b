import Foundation
import Testing

@testable import LabCheckKit

/// What the checker blames when a step fails: the step's own mistake first, a later step's "not implemented" only
/// as a footnote, a crash by its line, a program that never ends by what it printed.
@Suite struct DiagnosisTests {
    /// A dialogue program whose second line is wrong and which then reaches step 3's starter code.
    static let wrongSecondLine = """
        echo "Hong: Hi. What is your name?"
        echo "Kim: My name is Kim"
        echo "not implemented: step 3 — Human.askAge() (Sources/Lab1Greeting/Human.swift:22)" >&2
        exit 1
        """

    static func dialogueStep(_ number: Int, lines: [String], needs: [Int]? = nil) -> Step {
        Step(number, "prints \(lines.count) lines", hint: "the step's own hint", needs: needs) { check in
            let program = try check.run("greeting", requireExit: false)
            try expectLines(Array(program.outputLines.prefix(lines.count)), equal: lines, from: "lab9-greeting")
        }
    }

    @Test func aLaterStepsNoteDoesNotHideThisStepsMistake() throws {
        let fake = try FakeLab(["greeting": Self.wrongSecondLine])
        defer { fake.remove() }
        let results = fake.run([
            Self.dialogueStep(2, lines: ["Hong: Hi. What is your name?", "Kim: My name is Kim."], needs: [])
        ])
        let failure = try #require(results.failure(2))
        #expect(failure.cause == .check)
        #expect(failure.message.contains("line 2 of `lab9-greeting` should have been \"Kim: My name is Kim.\""))
        #expect(failure.stoppedAt?.hasPrefix("not implemented: step 3 — Human.askAge()") == true)
        #expect(failure.text.contains("(the program then stopped at: not implemented: step 3"))
    }

    @Test func aNoteOfThisStepOrOneItNeedsIsTheCause() throws {
        let fake = try FakeLab(["greeting": Self.wrongSecondLine])
        defer { fake.remove() }
        let lines = ["Hong: Hi. What is your name?", "Kim: My name is Kim.", "Hong: How old are you?"]
        // Step 4 needs step 3 (through its `needs`), whose starter the program reached.
        let results = fake.run(
            [Self.dialogueStep(3, lines: lines, needs: []), Self.dialogueStep(4, lines: lines, needs: [3])],
            only: 4
        )
        let failure = try #require(results.failure(4))
        #expect(failure.cause == .notImplemented)
        #expect(failure.message.hasPrefix("not implemented: step 3 — Human.askAge()"))
        #expect(failure.stoppedAt == nil)
    }

    @Test func aCrashShowsTheFatalErrorAndTheStudentsLine() throws {
        // What Swift's backtracer prints, abridged; the program then dies of SIGILL as a runtime trap does.
        let fake = try FakeLab([
            "greeting": """
            echo "Hong: Hi. What is your name?"
            cat >&2 <<'TRACE'
            Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range

            *** Program crashed: Illegal instruction at 0x00007f516cf6df7f ***

              0      0x00007f516cf6df7f closure #1 in _assertionFailure(_:_:file:line:flags:) + 623 in libswiftCore.so
              2 [ra] 0x00007f516d646f65 specialized Array.subscript.getter + 84 in libswiftSwiftOnoneSupport.so
              3 [ra] 0x0000564642c3b015 Human.answerName() + 52 in lab1-greeting at /home/kim/kit/Sources/Lab1Greeting/Human.swift:18:43
              4 [ra] 0x0000564642c3b173 Greeting.run() + 306 in lab1-greeting at /home/kim/kit/Sources/Lab1Greeting/Greeting.swift:24:13

            rip 0x00007fe173f6df7f  0f 0b 48 83 ec 08 48 8d 05 64 50 49 00 48 8d 3d
            Backtrace took 0.04s
            TRACE
            kill -ILL $$
            """
        ])
        defer { fake.remove() }
        let results = fake.run([Self.dialogueStep(1, lines: ["Hong: Hi. What is your name?", "Kim: My name is Kim."])])
        let failure = try #require(results.failure(1))
        #expect(failure.cause == .crash)
        #expect(failure.message.contains("lab9-greeting crashed: Fatal error: Index out of range"))
        #expect(failure.message.contains("at Sources/Lab1Greeting/Human.swift:18:43, in Human.answerName()"))
        #expect(!failure.message.contains("rip 0x"))
        #expect(!failure.message.contains("Backtrace took"))
        #expect(failure.hint == Diagnosis.crashHint)
    }

    @Test func aProgramThatNeverEndsIsShownWithWhatItPrinted() throws {
        let fake = try FakeLab(["greeting": "echo 'Hong: Hi. What is your name?'\nsleep 30"])
        defer { fake.remove() }
        let step = Step(1, "ends", hint: "h") { check in _ = try check.run("greeting", timeout: .milliseconds(500)) }
        let quiet = try #require(fake.run([step], usesSockets: false).failure(1))
        #expect(quiet.message.contains("was still running after 0.5 s — is it waiting for input (readLine())?"))
        #expect(quiet.message.contains("Hong: Hi. What is your name?"))
        #expect(!quiet.message.contains("recv()"))
        let networked = try #require(fake.run([step], usesSockets: true).failure(1))
        #expect(networked.message.contains("stuck in recv() or accept()?"))
    }

    @Test func aLineRepeatedWithoutEndNamesThePitfall() throws {
        let fake = try FakeLab([
            "server": "i=0; while [ $i -lt 50 ]; do echo \"Received b'' from 127.0.0.1:5\"; i=$((i+1)); done; sleep 30"
        ])
        defer { fake.remove() }
        let step = Step(1, "serves", hint: "h") { check in
            let server = try check.start("server", keepsRunning: true)
            try server.waitForLine(containing: "never printed", timeout: .milliseconds(500), waitingFor: "a line")
        }
        let pitfall = Pitfall(repeatedLine: "Received b''", meaning: "recv() returned b'': the client closed")
        let failure = try #require(fake.run([step], pitfalls: [pitfall]).failure(1))
        #expect(
            failure.message.contains(
                "printed \"Received b'' from 127.0.0.1:5\" 50 times in a row: recv() returned b'': the client closed"
            )
        )
    }

    @Test func aMachineProblemPointsAtMakeDoctor() throws {
        let fake = try FakeLab([:])
        defer { fake.remove() }
        let step = Step(1, "needs descriptors", hint: "h") { _ in
            throw CheckFailure("the hard limit on open files is 256", machine: true)
        }
        let failure = try #require(fake.run([step]).failure(1))
        #expect(failure.cause == .machine)
        #expect(failure.hint?.contains("make doctor") == true)
    }
}
