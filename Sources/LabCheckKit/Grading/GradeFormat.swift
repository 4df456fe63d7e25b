import Foundation
import TelegramKit  // JSONValue

/// The shapes a grade is written in (`make grade FORMAT=…`). Every writer reads the same `Grade`.
public enum GradeFormat: String, Sendable, CaseIterable {
    /// The kit's own shape, documented in the README ("Grading") and kept stable: keys are added, never renamed or
    /// removed, and `version` changes if a key's meaning ever does.
    case json
    /// JUnit XML, which any CI shows as a test report.
    case junit
    /// Gradescope's `results.json`.
    case gradescope
    /// GitHub Classroom's grader result: base64 of its JSON, as the step output `result`.
    case classroom

    public func render(_ grade: Grade) -> String {
        switch self {
        case .json: Self.json(grade).prettyText
        case .junit: Self.junit(grade)
        case .gradescope: Self.gradescope(grade).prettyText
        case .classroom: Data(Self.classroom(grade).jsonText.utf8).base64EncodedString()
        }
    }

    // MARK: The kit's JSON

    static let version: Int64 = 1

    static func json(_ grade: Grade) -> JSONValue {
        .object([
            "version": .int(version),
            "solution": .bool(grade.solution),
            "score": .int(Int64(grade.score)),
            "max_score": .int(Int64(grade.maxScore)),
            "seconds": .double(rounded(Check.seconds(grade.duration))),
            "notes": .array(grade.notes.map(JSONValue.string)),
            "labs": .array(
                grade.labs.map { lab in
                    .object([
                        "lab": .int(Int64(lab.lab.number)),
                        "title": .string(lab.lab.title),
                        "score": .int(Int64(lab.score)),
                        "max_score": .int(Int64(lab.maxScore)),
                        "compile_error": lab.compileError.map(JSONValue.string) ?? .null,
                    ])
                }
            ),
            "steps": .array(
                grade.labs.flatMap { lab in
                    lab.results.map { result in
                        let failure = result.stepFailure
                        let progress = grade.progress(of: result)
                        return .object([
                            "lab": .int(Int64(lab.lab.number)),
                            "step": .int(Int64(result.step.number)),
                            "held_back": .bool(result.step.heldBack),
                            "title": .string(result.step.title),
                            "points": .int(Int64(result.step.points)),
                            "score": .int(Int64(result.score)),
                            "status": .string(result.status),
                            "cause": failure.map { .string($0.cause.rawValue) } ?? .null,
                            "seconds": .double(rounded(result.seconds)),
                            "message": result.passed ? .null : .string(failure?.text ?? notRunText(result)),
                            "hint": result.passed
                                ? .null
                                : .string(
                                    failure?.hint ?? result.step.hint + " — \(lab.lab.handout)#\(result.step.anchor)"
                                ),
                            "replay": .array((failure?.replay ?? []).map(JSONValue.string)),
                            "seed": result.seed.map { .string(String($0)) } ?? .null,
                            // From the student's progress file, when the graded copy had one.
                            "attempts": progress.map { .int(Int64($0.attempts)) } ?? .null,
                            "hints": progress.map { .int(Int64($0.hintsSeen)) } ?? .null,
                        ])
                    }
                }
            ),
        ])
    }

    private static func notRunText(_ result: StepResult) -> String {
        if case .notRun(let needs) = result.outcome {
            return "not run: needs step\(needs.count > 1 ? "s" : "") \(needs.map(String.init).joined(separator: ", "))"
        }
        return ""
    }

    // MARK: JUnit XML

    static func junit(_ grade: Grade) -> String {
        func attribute(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "\n", with: "&#10;")
        }
        func body(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        let all = grade.results
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml +=
            #"<testsuites name="network-lab-kit" tests="\#(all.count)" failures="\#(all.filter { $0.stepFailure != nil }.count)" skipped="\#(all.filter { !$0.passed && $0.stepFailure == nil }.count)" time="\#(rounded(Check.seconds(grade.duration)))">"#
            + "\n"
        for lab in grade.labs {
            let failures = lab.results.filter { $0.stepFailure != nil }.count
            let skipped = lab.results.filter { !$0.passed && $0.stepFailure == nil }.count
            let time = rounded(lab.results.reduce(0) { $0 + $1.seconds })
            xml +=
                #"  <testsuite name="\#(attribute("Lab \(lab.lab.number) · \(lab.lab.title)"))" tests="\#(lab.results.count)" failures="\#(failures)" skipped="\#(skipped)" time="\#(time)">"#
                + "\n"
            for result in lab.results {
                let open =
                    #"    <testcase classname="lab\#(lab.lab.number)" name="\#(attribute(result.name))" time="\#(rounded(result.seconds))""#
                switch result.outcome {
                case .passed:
                    xml += open + "/>\n"
                case .notRun:
                    xml +=
                        open + ">\n" + #"      <skipped message="\#(attribute(notRunText(result)))"/>"#
                        + "\n    </testcase>\n"
                case .failed(let failure):
                    let first = failure.message.split(separator: "\n").first.map(String.init) ?? ""
                    xml += open + ">\n"
                    xml += #"      <failure message="\#(attribute(first))" type="\#(failure.cause.rawValue)">"#
                    xml += body(result.explanation(in: lab.lab) ?? "") + "</failure>\n"
                    xml += "      <system-out>" + body(result.transcriptExcerpt) + "</system-out>\n    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    // MARK: Gradescope

    static func gradescope(_ grade: Grade) -> JSONValue {
        let summary = grade.labs.map { "Lab \($0.lab.number) · \($0.lab.title): \($0.score)/\($0.maxScore)" }
            .joined(separator: "\n")
        return .object([
            "score": .int(Int64(grade.score)),
            "execution_time": .double(rounded(Check.seconds(grade.duration))),
            "output": .string(
                grade.notes.map { $0 + "\n\n" }.joined() + summary + "\nTotal: \(grade.score)/\(grade.maxScore)"
            ),
            "output_format": "text",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": .array(
                grade.labs.flatMap { lab in
                    lab.results.map { result in
                        var output = result.explanation(in: lab.lab) ?? "passed"
                        if result.stepFailure != nil && !result.transcript.isEmpty {
                            output += "\n\nThe checker's transcript of the step (its end):\n" + result.transcriptExcerpt
                        }
                        return .object([
                            "name": .string(result.name),
                            "number": .string(result.number),
                            "score": .int(Int64(result.score)),
                            "max_score": .int(Int64(result.step.points)),
                            "status": .string(result.passed ? "passed" : "failed"),
                            "output": .string(output),
                            "output_format": "text",
                            "visibility": "visible",
                        ])
                    }
                }
            ),
        ])
    }

    // MARK: GitHub Classroom

    static func classroom(_ grade: Grade) -> JSONValue {
        let compileFailed = grade.labs.contains { $0.compileError != nil }
        let status = grade.results.allSatisfy(\.passed) ? "pass" : compileFailed ? "error" : "fail"
        return .object([
            "version": 1,
            "status": .string(status),
            // The sum of the tests' maxima: Classroom's total and its table then agree.
            "max_score": .int(Int64(grade.maxScore)),
            "tests": .array(
                grade.labs.flatMap { lab in
                    lab.results.map { result in
                        .object([
                            "name": .string(result.name),
                            "status": .string(result.passed ? "pass" : lab.compileError != nil ? "error" : "fail"),
                            "score": .int(Int64(result.score)),
                            "message": .string(result.explanation(in: lab.lab) ?? "passed"),
                            "test_code": .string("make check LAB=\(lab.lab.number) STEP=\(result.step.number)"),
                            "filename": .string(lab.lab.handout),
                            "line_no": .int(Int64(handoutLine(of: result.step, in: lab.lab))),
                            "duration": .int(Int64((result.seconds * 1000).rounded())),
                        ])
                    }
                }
            ),
        ])
    }

    /// The line of the step's anchor in its handout (0 when the handout is not at hand).
    private static func handoutLine(of step: Step, in lab: Lab) -> Int {
        guard let text = try? String(contentsOfFile: lab.handout, encoding: .utf8) else { return 0 }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.contains("id=\"\(step.anchor)\"") }).map { $0 + 1 } ?? 0
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}

extension JSONValue {
    /// Indented JSON text with sorted keys, for files a person may read.
    var prettyText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
