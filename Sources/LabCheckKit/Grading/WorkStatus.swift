import Foundation
import ProcessKit

/// Whether the student's work is in git, as `make submit-check` tells it: what a grader that reads the repository
/// (GitHub Classroom, Gradescope's GitHub submissions) would not see.
public struct WorkStatus: Sendable, Equatable {
    /// Tracked files changed (or deleted, or staged) since the last commit.
    public var changed: [String] = []
    /// Files git does not know yet in the labs' folders (`Sources/Lab…`), and an untracked progress file.
    public var untracked: [String] = []
    /// The last commit: short id, subject, how long ago.
    public var lastCommit: String?
    /// Commits not pushed to the branch's upstream; nil when the branch has none.
    public var unpushed: Int?

    public var committed: Bool { changed.isEmpty && untracked.isEmpty }

    /// Reads `git status` in `folder`; nil when the folder is not in a git work tree (or git is missing).
    public static func read(in folder: String = ".") -> WorkStatus? {
        func git(_ arguments: String...) -> String? {
            guard let finished = try? ChildProcess.run("git", ["-C", folder] + arguments, timeout: .seconds(30)),
                finished.termination.succeeded
            else { return nil }
            return finished.standardOutput
        }
        guard git("rev-parse", "--is-inside-work-tree")?.hasPrefix("true") == true,
            let porcelain = git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")
        else { return nil }
        var status = parse(porcelain: porcelain)
        status.lastCommit = git("log", "-1", "--format=%h \"%s\" (%cr)")?.trimmingCharacters(
            in: .whitespacesAndNewlines
        )
        if git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}") != nil {
            status.unpushed = git("rev-list", "--count", "@{upstream}..HEAD").flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return status
    }

    /// `git status --porcelain=v1 -z`: "XY path\0", a rename's old path in its own field after the new one's.
    /// Paths are relative to the repository's top, so a kit in a subfolder of a repository still finds its labs.
    static func parse(porcelain: String) -> WorkStatus {
        var status = WorkStatus()
        var fields = porcelain.split(separator: "\0", omittingEmptySubsequences: true).map(String.init)[...]
        while let field = fields.popFirst() {
            guard field.count > 3 else { continue }
            let code = field.prefix(2)
            let path = String(field.dropFirst(3))
            if code.first == "R" || code.first == "C" { _ = fields.popFirst() }
            if code == "??" {
                if isLabWork(path) { status.untracked.append(path) }
            } else if code != "!!" {
                status.changed.append(path)
            }
        }
        return status
    }

    /// A lab's code (`Sources/Lab3EchoServer/…`) or the student's progress file, wherever the kit is in the repository.
    static func isLabWork(_ path: String) -> Bool {
        path.hasSuffix(StudentProgress.defaultPath) || path.contains(/(^|\/)Sources\/Lab[0-9][A-Z][^\/]*\//)
    }
}
