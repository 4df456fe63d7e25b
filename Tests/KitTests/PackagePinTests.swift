import Foundation
import ProcessKit
import Testing

/// The build does not change under a student mid-term: the package versions are committed, by tag, and a 0.x
/// package cannot move to a new minor version on its own. (README: "For maintainers: updating the packages".)
@Suite struct PackagePinTests {
    /// What was committed, not the working copy: `swift build` rewrites Package.resolved, commit ids and all, when
    /// Package.swift has changed since it was written (in the student copy, which has no Solutions/, it always
    /// has) — the versions it pins stay the same.
    @Test(.enabled(if: isGitCheckout(), "the committed Package.resolved is checked in a git checkout of the kit"))
    func packageResolvedIsCommittedAndPinsEveryPackageByItsVersionTag() throws {
        // A student's `git add -A` must take it too, whatever the machine's own ignore files say.
        let ignoredBy = try ChildProcess.run(
            "git",
            ["-C", repositoryRoot(), "check-ignore", "--no-index", "--verbose", "Package.resolved"],
            timeout: .seconds(20)
        )
        #expect(
            ignoredBy.standardOutput.hasPrefix(".gitignore:")
                && ignoredBy.standardOutput.contains(":!Package.resolved"),
            """
            git ignores Package.resolved (\(ignoredBy.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))), \
            so `git add -A` leaves it out: the kit's .gitignore needs the line !Package.resolved
            """
        )
        let committed = try ChildProcess.run(
            "git",
            ["-C", repositoryRoot(), "show", "HEAD:Package.resolved"],
            timeout: .seconds(20)
        )
        try #require(
            committed.termination.succeeded,
            "Package.resolved is not committed (\(committed.standardError)): run make pin-packages and commit it"
        )
        let resolved = try JSONDecoder().decode(Resolved.self, from: Data(committed.standardOutput.utf8))
        #expect(!resolved.pins.isEmpty)
        for pin in resolved.pins {
            let version = try #require(
                pin.state.version,
                "\(pin.identity) is pinned to a branch or a commit, not a version"
            )
            #expect(
                pin.state.revision == version,
                """
                \(pin.identity) \(version) is pinned to commit \(pin.state.revision): a commit id differs between copies of \
                a package (GitHub's, a mirror's), a tag does not — run make pin-packages, which writes tags
                """
            )
        }
        let ignored = try String(contentsOfFile: repositoryRoot() + "/.gitignore", encoding: .utf8).split(
            separator: "\n"
        )
        #expect(!ignored.contains("Package.resolved"), ".gitignore must not hide Package.resolved: it is committed")
    }

    @Test func zeroVersionPackagesAreHeldToTheirMinorVersion() throws {
        let manifest = try String(contentsOfFile: repositoryRoot() + "/Package.swift", encoding: .utf8)
        let packages = manifest.matches(of: /\.package\(url: "([^"]+)", ([^)]*)\)/).map { (String($0.1), String($0.2)) }
        #expect(packages.count >= 2, "no .package lines found in Package.swift")
        for (url, requirement) in packages where requirement.contains("\"0.") {
            #expect(
                requirement.hasPrefix(".upToNextMinor(from:") || requirement.hasPrefix("exact:"),
                "\(url) is 0.x, where a minor version may break its API: declare it .upToNextMinor(from: …)"
            )
        }
    }
}

/// Whether the kit is a git checkout with history (the student copy may be a plain folder).
func isGitCheckout() -> Bool {
    FileManager.default.fileExists(atPath: repositoryRoot() + "/.git")
}

/// What the tests read of Package.resolved (format version 2 or 3).
private struct Resolved: Decodable {
    struct Pin: Decodable {
        struct State: Decodable {
            let revision: String
            let version: String?
        }
        let identity: String
        let state: State
    }
    let pins: [Pin]
}
