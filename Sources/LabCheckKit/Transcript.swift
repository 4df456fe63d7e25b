import Foundation
import Synchronization

/// Everything a check run did, with timestamps: programs started, bytes sent and received, what the programs
/// printed. Written to `.labcheck/labN.log` so a student can see the whole conversation behind a failure.
public final class Transcript: Sendable {
    private let lines = Mutex<[String]>([])
    private let start = ContinuousClock.now

    public init() {}

    public func log(_ text: String) {
        let elapsed = ContinuousClock.now - start
        let stamp = String(format: "%7.3f", elapsed / .seconds(1))
        lines.withLock { $0.append("[\(stamp)] " + text) }
    }

    /// A block of text (a program's output) under a heading, indented.
    public func attach(_ heading: String, _ text: String, keeping limit: Int = 200) {
        guard !text.isEmpty else { return }
        var shown = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
        if shown.count > limit {
            let skipped = shown.count - limit
            shown = shown.prefix(limit / 2) + ["… \(skipped) lines left out …"] + shown.suffix(limit / 2)
        }
        let body = shown.map { "    | " + $0.prefix(500) }
        lines.withLock { $0 += ["  \(heading):"] + body }
    }

    public var text: String { lines.withLock { $0.joined(separator: "\n") + "\n" } }

    /// How many lines there are so far: a mark to take `text(since:)` from.
    public var count: Int { lines.withLock { $0.count } }

    /// The lines logged since `mark`.
    public func text(since mark: Int) -> String {
        lines.withLock { $0.dropFirst(mark).joined(separator: "\n") + "\n" }
    }

    /// Writes the transcript to `path` atomically, so that two checks running at once never mix their logs.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}
