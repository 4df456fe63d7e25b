import Foundation

/// The student's progress, kept in `.labcheck/progress.log`: one line per step checked and per hint revealed,
///
///     2026-11-30T14:02:11Z lab 3 step 2 failed
///     2026-11-30T14:05:40Z lab 3 step 2 hint 2
///     2026-11-30T14:09:03Z lab 3 step 2 passed
///
/// Lines are only ever added, each complete in itself, so the file merges cleanly in git when a student works on
/// two machines (`.gitattributes` asks git to merge it line by line: `merge=union`). `make clean` leaves it alone.
public struct StudentProgress: Sendable {
    public static let defaultPath = ".labcheck/progress.log"
    static let header = """
        # Your progress through the labs, written by make check, make watch and make hint: one line per step checked
        # and per hint seen. Keep it in git (it merges line by line); make clean never deletes it.

        """

    public enum Event: Sendable, Equatable {
        case passed
        case failed
        case hint(Int)
    }

    public struct Entry: Sendable, Equatable {
        public let time: Date
        public let lab: Int
        public let step: Int
        public let event: Event
    }

    /// What the file says about one step.
    public struct StepProgress: Sendable, Equatable {
        /// When it first passed.
        public var firstPassed: Date?
        /// Failed checks before the first pass (all of them, if it has not passed yet).
        public var attempts = 0
        /// The last passed or failed check.
        public var lastPassed: Bool?
        /// Hint layers seen: 1 is shown with every failure; more by `make hint`.
        public var hintsSeen = 0
    }

    public let path: String
    public private(set) var entries: [Entry] = []
    /// Lines that are not progress lines (edited by hand, or cut short), with their line numbers: skipped.
    public private(set) var problems: [(line: Int, text: String)] = []

    /// Reads the file; a missing file is an empty progress, a line that does not parse is listed in `problems`.
    public init(path: String = StudentProgress.defaultPath) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let text = String(decoding: data, as: UTF8.self)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if let entry = Self.parse(trimmed) {
                entries.append(entry)
            } else {
                problems.append((index + 1, String(line)))
            }
        }
    }

    /// A sentence per line that was skipped, for the student to fix or delete.
    public var problemReport: String? {
        guard !problems.isEmpty else { return nil }
        let shown = problems.prefix(3).map { "line \($0.line): \"\($0.text.prefix(60))\"" }.joined(separator: "; ")
        return
            "\(path): \(problems.count) line\(problems.count == 1 ? " is" : "s are") not progress lines and \(problems.count == 1 ? "was" : "were") skipped (\(shown)\(problems.count > 3 ? "; …" : "")). Each line reads \"TIME lab N step K passed|failed|hint N\": fix or delete the others."
    }

    public func step(lab: Int, step: Int) -> StepProgress {
        var progress = StepProgress()
        for entry in entries.sorted(by: { $0.time < $1.time }) where entry.lab == lab && entry.step == step {
            switch entry.event {
            case .passed:
                if progress.firstPassed == nil { progress.firstPassed = entry.time }
                progress.lastPassed = true
            case .failed:
                if progress.firstPassed == nil { progress.attempts += 1 }
                progress.lastPassed = false
            case .hint(let layer):
                progress.hintsSeen = max(progress.hintsSeen, layer)
            }
        }
        return progress
    }

    /// Appends lines for the steps that ran (steps not run say nothing new).
    public func record(_ results: [StepResult], at time: Date = Date()) throws {
        let lines = results.compactMap { result -> String? in
            switch result.outcome {
            case .passed: Self.line(time, lab: result.lab, step: result.step.number, "passed")
            case .failed: Self.line(time, lab: result.lab, step: result.step.number, "failed")
            case .notRun: nil
            }
        }
        try append(lines)
    }

    public func recordHint(_ layer: Int, lab: Int, step: Int, at time: Date = Date()) throws {
        try append([Self.line(time, lab: lab, step: step, "hint \(layer)")])
    }

    // MARK: The file

    private func append(_ lines: [String]) throws {
        guard !lines.isEmpty else { return }
        let manager = FileManager.default
        let url = URL(fileURLWithPath: path)
        try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !manager.fileExists(atPath: path) { try Data(Self.header.utf8).write(to: url) }
        // O_APPEND: two checks that end at once add their lines whole, one after the other.
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
    }

    static func line(_ time: Date, lab: Int, step: Int, _ event: String) -> String {
        "\(time.formatted(.iso8601)) lab \(lab) step \(step) \(event)"
    }

    static func parse(_ line: String) -> Entry? {
        let words = line.split(separator: " ").map(String.init)
        guard words.count >= 6, words[1] == "lab", words[3] == "step",
            let time = try? Date(words[0], strategy: .iso8601), let lab = Int(words[2]), let step = Int(words[4])
        else { return nil }
        let event: Event
        switch (words[5], words.count) {
        case ("passed", 6): event = .passed
        case ("failed", 6): event = .failed
        case ("hint", 7):
            guard let layer = Int(words[6]), layer >= 1 else { return nil }
            event = .hint(layer)
        default: return nil
        }
        return Entry(time: time, lab: lab, step: step, event: event)
    }
}
