import Foundation
import Testing

@testable import LabCheckKit

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Each grader format has the exact shape its platform reads; a change of shape fails here first.
@Suite struct GradeFormatTests {
    static let lab = Lab(
        number: 3,
        title: "Blocking echo",
        folder: "03-blocking-echo",
        programs: [],
        steps: [
            Step(1, "echoes one message", hint: "recv, sendAll") { _ in },
            Step(2, "echoes until the client closes", hint: "loop", points: 2) { _ in },
            Step(3, "nothing lost", hint: "sendAll") { _ in },
        ]
    )
    static let broken = Lab(
        number: 4,
        title: "Multiplexed echo",
        folder: "04-multiplexed-echo",
        programs: [],
        steps: [Step(1, "accepts at once", hint: "select") { _ in }]
    )

    /// Lab 3: step 1 passed, step 2 failed, step 3 not run; lab 4 does not compile.
    static let grade = Grade(
        labs: [
            Grade.LabGrade(
                lab: lab,
                results: [
                    StepResult(lab: 3, step: lab.steps[0], outcome: .passed, duration: .milliseconds(200)),
                    StepResult(
                        lab: 3,
                        step: lab.steps[1],
                        outcome: .failed(
                            StepFailure(
                                .check,
                                "sent 3 messages, got 1 back",
                                stoppedAt: "not implemented: step 5 — pause",
                                replay: ["make run LAB=3 PROG=echo-server"]
                            )
                        ),
                        duration: .milliseconds(1500),
                        transcript: "[ 0.1] client → b'first'\n[ 0.2] client ← b'first'"
                    ),
                    StepResult(lab: 3, step: lab.steps[2], outcome: .notRun(needs: [2]), duration: .zero),
                ]
            ),
            Grade.LabGrade(
                lab: broken,
                doesNotCompile: "Sources/Lab4MuxServer/EchoLoop.swift:12:5: error: cannot find 'sel' in scope"
            ),
        ],
        solution: false,
        duration: .seconds(3)
    )

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theKitsJSON() throws {
        let json = try Self.object(GradeFormat.json.render(Self.grade))
        #expect(Set(json.keys) == ["version", "solution", "score", "max_score", "seconds", "notes", "labs", "steps"])
        #expect(json["version"] as? Int == 1)
        #expect(json["score"] as? Int == 1)
        #expect(json["max_score"] as? Int == 5)
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.count == 4)
        for step in steps {
            #expect(
                Set(step.keys) == [
                    "lab", "step", "held_back", "title", "points", "score", "status", "cause", "seconds", "message",
                    "hint", "replay", "seed", "attempts", "hints",
                ]
            )
            #expect(step["attempts"] is NSNull && step["hints"] is NSNull, "no progress file was graded")
        }
        #expect(json["notes"] as? [String] == [])
        #expect(steps.map { $0["status"] as? String } == ["passed", "failed", "not_run", "failed"])
        #expect(steps[1]["points"] as? Int == 2)
        #expect(
            steps[1]["message"] as? String
                == "sent 3 messages, got 1 back\n(the program then stopped at: not implemented: step 5 — pause)"
        )
        #expect(steps[1]["hint"] as? String == "loop — Labs/03-blocking-echo/README.md#step-2")
        #expect(steps[0]["message"] is NSNull)
        #expect(steps[3]["cause"] as? String == "does_not_compile")
        let labs = try #require(json["labs"] as? [[String: Any]])
        #expect(
            labs.map { Set($0.keys) }
                == Array(repeating: ["lab", "title", "score", "max_score", "compile_error"], count: 2)
        )
        #expect((labs[1]["compile_error"] as? String)?.contains("cannot find 'sel' in scope") == true)
    }

    /// A graded copy's progress file and a submission's notes go with the result: each step's attempts and hints
    /// (none for a held-back variant, which the student never checked), the notes first in Gradescope's output.
    @Test func progressAndNotesGoWithTheResult() throws {
        let folder = NSTemporaryDirectory() + "grade-progress-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(
            """
            2026-11-30T10:00:00Z lab 3 step 1 failed
            2026-11-30T10:01:00Z lab 3 step 1 hint 2
            2026-11-30T10:02:00Z lab 3 step 1 passed

            """.utf8
        ).write(to: URL(fileURLWithPath: folder + "/progress.log"))
        let held = Self.lab.heldBack([Step(1, "echoes other payloads", hint: "recv") { _ in }])
        var grade = Self.grade
        grade = Grade(
            labs: grade.labs + [
                Grade.LabGrade(
                    lab: held,
                    results: [StepResult(lab: 3, step: held.steps[0], outcome: .passed, duration: .zero)]
                )
            ],
            solution: false,
            duration: grade.duration,
            notes: ["Taken from your submission: Lab3EchoServer."],
            progress: StudentProgress(path: folder + "/progress.log")
        )
        let json = try Self.object(GradeFormat.json.render(grade))
        #expect(json["notes"] as? [String] == ["Taken from your submission: Lab3EchoServer."])
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps[0]["attempts"] as? Int == 1 && steps[0]["hints"] as? Int == 2)
        #expect(
            steps[1]["attempts"] as? Int == 0 && steps[1]["hints"] as? Int == 0,
            "a step the file never names: no attempts yet"
        )
        #expect(steps.last?["held_back"] as? Bool == true && steps.last?["attempts"] is NSNull)
        let gradescope = try Self.object(GradeFormat.gradescope.render(grade))
        #expect(
            (gradescope["output"] as? String)?.hasPrefix("Taken from your submission: Lab3EchoServer.\n\nLab 3 · ")
                == true
        )
    }

    @Test func gradescopesResultsJSON() throws {
        let json = try Self.object(GradeFormat.gradescope.render(Self.grade))
        #expect(
            Set(json.keys) == [
                "score", "execution_time", "output", "output_format", "visibility", "stdout_visibility", "tests",
            ]
        )
        #expect(json["score"] as? Int == 1)
        let tests = try #require(json["tests"] as? [[String: Any]])
        for test in tests {
            #expect(
                Set(test.keys) == [
                    "name", "number", "score", "max_score", "status", "output", "output_format", "visibility",
                ]
            )
            #expect(["passed", "failed"].contains(test["status"] as? String))
        }
        #expect(tests.map { $0["number"] as? String } == ["3.1", "3.2", "3.3", "4.1"])
        #expect(tests.map { $0["max_score"] as? Int } == [1, 2, 1, 1])
        let failed = try #require(tests[1]["output"] as? String)
        #expect(failed.contains("sent 3 messages, got 1 back"))
        #expect(failed.contains("hint: loop"))
        #expect(failed.contains("client ← b'first'"))  // the transcript's excerpt
    }

    @Test func githubClassroomsGraderResult() throws {
        let text = GradeFormat.classroom.render(Self.grade)
        let decoded = try #require(Data(base64Encoded: text))
        let json = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
        #expect(Set(json.keys) == ["version", "status", "max_score", "tests"])
        #expect(json["version"] as? Int == 1)
        #expect(json["status"] as? String == "error")  // lab 4 did not compile
        let tests = try #require(json["tests"] as? [[String: Any]])
        for test in tests {
            #expect(
                Set(test.keys) == [
                    "name", "status", "score", "message", "test_code", "filename", "line_no", "duration",
                ]
            )
        }
        #expect(tests.map { $0["status"] as? String } == ["pass", "fail", "fail", "error"])
        // Classroom's total (the sum of scores) and its table (max_score) agree: max_score is the sum of maxima.
        #expect(json["max_score"] as? Int == Self.grade.maxScore)
        #expect(tests[1]["duration"] as? Int == 1500)
        #expect(tests[1]["test_code"] as? String == "make check LAB=3 STEP=2")
    }

    @Test func junitXML() throws {
        let xml = GradeFormat.junit.render(Self.grade)
        let parsed = JUnitShape()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = parsed
        #expect(parser.parse(), "the JUnit XML does not parse: \(xml)")
        #expect(parsed.elements.first == "testsuites")
        #expect(parsed.suites == ["Lab 3 · Blocking echo", "Lab 4 · Multiplexed echo"])
        #expect(parsed.cases == 4)
        #expect(parsed.failures == 2)
        #expect(parsed.skipped == 1)
        #expect(parsed.rootAttributes["tests"] == "4")
        #expect(parsed.rootAttributes["failures"] == "2")
    }
}

/// Counts what a JUnit reader counts.
final class JUnitShape: NSObject, XMLParserDelegate, @unchecked Sendable {
    var elements: [String] = []
    var suites: [String] = []
    var cases = 0
    var failures = 0
    var skipped = 0
    var rootAttributes: [String: String] = [:]

    func parser(
        _ parser: XMLParser,
        didStartElement name: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append(name)
        switch name {
        case "testsuites": rootAttributes = attributes
        case "testsuite": suites.append(attributes["name"] ?? "")
        case "testcase": cases += 1
        case "failure": failures += 1
        case "skipped": skipped += 1
        default: break
        }
    }
}
