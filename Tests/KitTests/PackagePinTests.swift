import Foundation
import Testing

/// The build does not change under a student mid-term: the package versions are committed, by tag, and a 0.x
/// package cannot move to a new minor version on its own. (README: "For maintainers: updating the packages".)
@Suite struct PackagePinTests {
    @Test func packageResolvedIsCommittedAndPinsEveryPackageByItsVersionTag() throws {
        let root = repositoryRoot()
        let data = try #require(
            FileManager.default.contents(atPath: root + "/Package.resolved"),
            "Package.resolved is missing: run make update-packages and commit it")
        let resolved = try JSONDecoder().decode(Resolved.self, from: data)
        #expect(!resolved.pins.isEmpty)
        for pin in resolved.pins {
            let version = try #require(pin.state.version, "\(pin.identity) is pinned to a branch or a commit, not a version")
            #expect(
                pin.state.revision == version,
                """
                \(pin.identity) \(version) is pinned to commit \(pin.state.revision): a commit id differs between copies of \
                a package (GitHub's, a mirror's), a tag does not — run make update-packages, which writes tags
                """)
        }
        let ignored = try String(contentsOfFile: root + "/.gitignore", encoding: .utf8).split(separator: "\n")
        #expect(!ignored.contains("Package.resolved"), ".gitignore must not hide Package.resolved: it is committed")
    }

    @Test func zeroVersionPackagesAreHeldToTheirMinorVersion() throws {
        let manifest = try String(contentsOfFile: repositoryRoot() + "/Package.swift", encoding: .utf8)
        let packages = manifest.matches(of: /\.package\(url: "([^"]+)", ([^)]*)\)/).map { (String($0.1), String($0.2)) }
        #expect(packages.count >= 2, "no .package lines found in Package.swift")
        for (url, requirement) in packages where requirement.contains("\"0.") {
            #expect(
                requirement.hasPrefix(".upToNextMinor(from:") || requirement.hasPrefix("exact:"),
                "\(url) is 0.x, where a minor version may break its API: declare it .upToNextMinor(from: …)")
        }
    }
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
