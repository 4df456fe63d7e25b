import Foundation
import TestSupport
import Testing

/// The programs the tests need are listed once in Tests/TestSupport/Tools.swift; `make test` (the Makefile's
/// TEST_TOOLS) and CI (`.ci/run`'s packages) must install exactly those, or a fresh machine fails the tests.
@Suite struct ToolListTests {
    @Test func theMakefileAndCIInstallEveryToolTheTestsNeed() throws {
        let makefile = try String(contentsOfFile: kitPath("Makefile"), encoding: .utf8)
        let line = try #require(makefile.split(separator: "\n").first { $0.hasPrefix("TEST_TOOLS :=") })
        let listed = line.dropFirst("TEST_TOOLS :=".count).split(separator: " ").map(String.init)
        #expect(listed == Tool.all.map { "\($0.command):\($0.debianPackage):\($0.brewPackage)" })

        let ci = try String(contentsOfFile: kitPath(".ci/run"), encoding: .utf8)
        // packages=( one or more per line, each line perhaps with a # comment, up to a line that is ")" )
        let lines = ci.split(separator: "\n").drop { !$0.hasPrefix("packages=(") }.dropFirst().prefix { $0 != ")" }
        let installed = Set(lines.flatMap { $0.split(separator: "#", omittingEmptySubsequences: false)[0].split(separator: " ") }.map(String.init))
        #expect(installed.contains("libedit-dev"), "the package list was not found in .ci/run: \(installed)")
        for tool in Tool.all {
            #expect(installed.contains(tool.debianPackage), ".ci/run does not install \(tool.debianPackage) (\(tool.command))")
        }
    }
}

/// A file of the kit, found from this source file's place in it (Tests/LabProgramTests/…).
private func kitPath(_ path: String, from source: String = #filePath) -> String {
    URL(fileURLWithPath: source).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(path).path
}
