import Foundation

/// Where a class is stuck (`make class-report DIR=results/`): the kit's JSON results of many students (one file
/// each, `make grade FORMAT=json`, any labs), as one CSV row per student and step, a heatmap of the class by step,
/// and the steps that fail most often with the message they fail with. A file that is not a whole result of the
/// kit's is listed and left out, never fatal.
public struct ClassReport: Sendable {
    /// A step as the results name it: "3.2", or "3.2h" for a held-back variant.
    public struct StepKey: Hashable, Comparable, Sendable {
        public let lab: Int
        public let step: Int
        public let heldBack: Bool

        public var number: String { "\(lab).\(step)\(heldBack ? "h" : "")" }

        public static func < (a: StepKey, b: StepKey) -> Bool {
            (a.lab, a.step, a.heldBack ? 1 : 0) < (b.lab, b.step, b.heldBack ? 1 : 0)
        }
    }

    /// One student's result for one step.
    public struct Entry: Sendable {
        public let student: String
        public let key: StepKey
        public let title: String
        public let status: String
        public let points: Int
        public let score: Int
        public let seconds: Double
        public let cause: String?
        public let message: String?
        /// From the student's progress file, when the result carried it.
        public let attempts: Int?
        public let hints: Int?

        public var passed: Bool { status == "passed" }
        public var failed: Bool { status == "failed" }
        /// The message's first line: what a table or a tooltip shows.
        public var headline: String? { message?.split(separator: "\n").first.map(String.init) }
    }

    /// A file that was left out, and why.
    public struct Skipped: Sendable, Equatable {
        public let file: String
        public let reason: String
    }

    /// A step many students fail, with the message most of them fail with.
    public struct FailingStep: Sendable {
        public let key: StepKey
        public let title: String
        public let failed: Int
        public let graded: Int
        public let commonMessage: String?
        public let commonCount: Int
    }

    public let students: [String]
    public let steps: [StepKey]
    public let entries: [Entry]
    public let skipped: [Skipped]
    private let titles: [StepKey: String]

    /// Reads every `.json` file in `folder`; each student is named by the file's name (`kim-younghee.json`).
    public init(folder: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.lowercased().hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        var entries: [Entry] = []
        var skipped: [Skipped] = []
        for name in names {
            let student = String(name.dropLast(".json".count))
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
                entries += try Self.entries(of: student, from: data)
            } catch {
                skipped.append(Skipped(file: name, reason: Self.reason(error)))
            }
        }
        self.init(entries: entries, skipped: skipped)
    }

    public init(entries: [Entry], skipped: [Skipped] = []) {
        self.entries = entries
        self.skipped = skipped
        students = Array(Set(entries.map(\.student))).sorted()
        steps = Array(Set(entries.map(\.key))).sorted()
        var titles: [StepKey: String] = [:]
        for entry in entries where titles[entry.key] == nil { titles[entry.key] = entry.title }
        self.titles = titles
    }

    // MARK: Reading the kit's JSON

    /// The part of the kit's JSON the report reads (GradeFormat.json writes it; the README documents it).
    private struct Result: Decodable {
        let version: Int
        let steps: [Step]

        struct Step: Decodable {
            let lab: Int
            let step: Int
            let held_back: Bool
            let title: String
            let points: Int
            let score: Int
            let status: String
            let seconds: Double
            let cause: String?
            let message: String?
            let attempts: Int?
            let hints: Int?
        }
    }

    static func entries(of student: String, from data: Data) throws -> [Entry] {
        let result = try JSONDecoder().decode(Result.self, from: data)
        guard result.version >= 1 else { throw ReportError("its version (\(result.version)) is not one the kit wrote") }
        guard !result.steps.isEmpty else { throw ReportError("it has no steps") }
        return try result.steps.map { step in
            guard ["passed", "failed", "not_run"].contains(step.status) else {
                throw ReportError("lab \(step.lab) step \(step.step) has the status \"\(step.status)\"")
            }
            return Entry(
                student: student,
                key: StepKey(lab: step.lab, step: step.step, heldBack: step.held_back),
                title: step.title,
                status: step.status,
                points: step.points,
                score: step.score,
                seconds: step.seconds,
                cause: step.cause,
                message: step.message,
                attempts: step.attempts,
                hints: step.hints
            )
        }
    }

    struct ReportError: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// Why a file was left out, in a sentence a teacher can act on.
    static func reason(_ error: Error) -> String {
        let kit = "not the kit's JSON (make grade FORMAT=json)"
        switch error {
        case let error as ReportError:
            return error.text
        case DecodingError.keyNotFound(let key, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty
                ? "\(kit): it has no \"\(key.stringValue)\""
                : "partial: \(path.dropFirst()) has no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "\(kit): \(path.dropFirst()) is not what the kit writes"
        case DecodingError.dataCorrupted:
            return "not JSON, or cut short"
        default:
            return "could not be read (\(error.localizedDescription))"
        }
    }

    // MARK: What the report says

    public func title(of key: StepKey) -> String { titles[key] ?? "" }

    /// The `count` steps most students failed (among those whose results have the step), most first.
    public func mostFailed(_ count: Int = 5) -> [FailingStep] {
        let byStep = Dictionary(grouping: entries, by: \.key)
        return byStep.compactMap { key, entries -> FailingStep? in
            let failed = entries.filter(\.failed)
            guard !failed.isEmpty else { return nil }
            // Messages differ in their numbers (ports, sizes, drawn values): grouped without them.
            let groups = Dictionary(grouping: failed.compactMap(\.headline)) { $0.replacing(/\d+/, with: "#") }
            let common = groups.values.max { ($0.count, $1[0]) < ($1.count, $0[0]) }
            return FailingStep(
                key: key,
                title: title(of: key),
                failed: failed.count,
                graded: entries.count,
                commonMessage: common?.first,
                commonCount: common?.count ?? 0
            )
        }
        .sorted { ($0.failed, $1.key) > ($1.failed, $0.key) }
        .prefix(count).map { $0 }
    }

    /// What `make class-report` prints.
    public func summary(folder: String, files: [String]) -> String {
        var lines = [
            "Read the results of \(students.count) student\(students.count == 1 ? "" : "s") from \(folder)"
                + (skipped.isEmpty ? "." : " (\(skipped.count) file\(skipped.count == 1 ? "" : "s") left out: below).")
        ]
        let failing = mostFailed()
        if failing.isEmpty {
            lines.append("No step failed for anyone.")
        } else {
            lines.append("The steps that fail most often:")
            for (index, step) in failing.enumerated() {
                let share = Int((Double(step.failed) / Double(step.graded) * 100).rounded())
                lines.append(
                    "  \(index + 1). Lab \(step.key.lab) step \(step.key.step)\(step.key.heldBack ? " (held back)" : "") · \(step.title) — failed for \(step.failed) of \(step.graded) (\(share)%)"
                )
                if let message = step.commonMessage {
                    let shown = message.count > 110 ? message.prefix(109) + "…" : Substring(message)
                    let label =
                        step.commonCount > 1
                        ? "most often (\(step.commonCount)×)" : step.failed == 1 ? "with" : "each differently, e.g."
                    lines.append("     \(label): \(shown)")
                }
            }
        }
        for skipped in skipped { lines.append("Left out \(folder)/\(skipped.file): \(skipped.reason)") }
        if !files.isEmpty { lines.append("Wrote \(files.joined(separator: " and ")).") }
        return lines.joined(separator: "\n")
    }

    // MARK: CSV

    /// One row per student and step: passed, seconds, and the attempts and hints where a progress file came along.
    public var csv: String {
        let header = [
            "student", "lab", "step", "held_back", "title", "status", "passed", "points", "score", "seconds",
            "attempts", "hints", "cause", "message",
        ]
        let order = Dictionary(uniqueKeysWithValues: students.enumerated().map { ($1, $0) })
        let rows = entries.sorted { (order[$0.student]!, $0.key) < (order[$1.student]!, $1.key) }.map { entry in
            [
                entry.student, String(entry.key.lab), String(entry.key.step), entry.key.heldBack ? "1" : "0",
                entry.title,
                entry.status, entry.passed ? "1" : "0", String(entry.points), String(entry.score),
                String(format: "%.3f", entry.seconds), entry.attempts.map(String.init) ?? "",
                entry.hints.map(String.init) ?? "", entry.cause ?? "", entry.headline ?? "",
            ]
        }
        return ([header] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: The heatmap

    /// Students down, steps across (grouped by lab): green passed, red failed, grey not run, pale not graded; a last
    /// row shades each step by the share of the class that passed it. Every cell's tooltip says what happened.
    public var heatmapSVG: String {
        let cell = 14
        let pitch = cell + 2
        let nameWidth = min(220, 7 * (students.map(\.count).max() ?? 8) + 16)
        let top = 64
        // Each lab's columns start a little after the last lab's.
        var x: [StepKey: Int] = [:]
        var cursor = nameWidth
        for (index, key) in steps.enumerated() {
            if index > 0 && steps[index - 1].lab != key.lab { cursor += 8 }
            x[key] = cursor
            cursor += pitch
        }
        let width = max(cursor + 16, nameWidth + 560)
        let classRow = top + students.count * pitch + 6
        let height = classRow + pitch + 40
        let byCell = Dictionary(entries.map { ("\($0.student)\u{0}\($0.key.number)", $0) }) { first, _ in first }
        func square(_ left: Int, _ y: Int, _ fill: String, _ tip: String) -> String {
            "<rect x=\"\(left)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\"><title>\(Self.escape(tip))</title></rect>"
        }
        func text(_ left: Int, _ y: Int, _ content: String, _ attributes: String = "") -> String {
            "<text x=\"\(left)\" y=\"\(y)\"\(attributes)>\(Self.escape(content))</text>"
        }
        func name(_ key: StepKey) -> String { "Lab \(key.lab) step \(key.step)\(key.heldBack ? " (held back)" : "")" }

        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">",
            "<title>The class by step: \(students.count) students, \(steps.count) steps</title>",
            "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
        ]
        for lab in Set(steps.map(\.lab)).sorted() {
            if let first = steps.first(where: { $0.lab == lab }), let left = x[first] {
                svg.append(text(left, 14, "Lab \(lab)", " font-weight=\"bold\""))
            }
        }
        for key in steps {
            let left = x[key]! + cell / 2 + 4
            svg.append(
                "<text x=\"\(left)\" y=\"\(top - 4)\" transform=\"rotate(-60 \(left) \(top - 4))\">\(key.number)<title>\(Self.escape(name(key) + ": " + title(of: key)))</title></text>"
            )
        }
        for (row, student) in students.enumerated() {
            let y = top + row * pitch
            svg.append(text(nameWidth - 6, y + cell - 3, student, " text-anchor=\"end\""))
            for key in steps {
                guard let entry = byCell["\(student)\u{0}\(key.number)"] else {
                    svg.append(square(x[key]!, y, Self.colors.notGraded, "\(student) · \(name(key)): not graded"))
                    continue
                }
                var tip = "\(student) · \(name(key)): \(entry.status.replacingOccurrences(of: "_", with: " "))"
                if let headline = entry.headline, entry.failed { tip += " — " + headline }
                if let attempts = entry.attempts {
                    tip += "; \(attempts) failed check\(attempts == 1 ? "" : "s") before passing"
                }
                if let hints = entry.hints, hints > 0 { tip += "; \(hints) hint\(hints == 1 ? "" : "s") seen" }
                let fill = entry.passed ? Self.colors.passed : entry.failed ? Self.colors.failed : Self.colors.notRun
                svg.append(square(x[key]!, y, fill, tip))
            }
        }
        svg.append(text(nameWidth - 6, classRow + cell - 3, "passed by", " text-anchor=\"end\" font-weight=\"bold\""))
        let byStep = Dictionary(grouping: entries, by: \.key)
        for key in steps {
            let graded = byStep[key] ?? []
            let passed = graded.filter(\.passed).count
            let share = graded.isEmpty ? 0 : Double(passed) / Double(graded.count)
            svg.append(
                square(x[key]!, classRow, Self.shade(share), "\(name(key)): passed by \(passed) of \(graded.count)")
            )
        }
        var legendX = nameWidth
        let legend = [
            (Self.colors.passed, "passed"), (Self.colors.failed, "failed"),
            (Self.colors.notRun, "not run (a step it needs failed)"), (Self.colors.notGraded, "not graded"),
        ]
        for (color, label) in legend {
            svg.append(
                "<rect x=\"\(legendX)\" y=\"\(height - 28)\" width=\"10\" height=\"10\" fill=\"\(color)\" stroke=\"#999999\" stroke-width=\"0.5\"/>"
            )
            svg.append(text(legendX + 14, height - 19, label))
            legendX += 24 + 6 * label.count
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    static let colors = (passed: "#2e9e44", failed: "#d64541", notRun: "#b8b8b8", notGraded: "#f0f0f0")

    /// From red (nobody passed) through yellow to green (everybody did).
    static func shade(_ share: Double) -> String {
        let (red, green): (Double, Double) =
            share < 0.5
            ? (214, 69 + (190 - 69) * share * 2)
            : (214 - (214 - 46) * (share - 0.5) * 2, 190 - (190 - 158) * (share - 0.5) * 2)
        return String(format: "#%02x%02x%02x", Int(red.rounded()), Int(green.rounded()), 65)
    }

    /// Text for XML: markup escaped, and the control characters XML forbids (a quoted byte) shown as `?`.
    static func escape(_ text: String) -> String {
        let scalars = text.unicodeScalars.map { scalar in
            scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" ? "?" : scalar
        }
        return String(String.UnicodeScalarView(scalars)).replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
