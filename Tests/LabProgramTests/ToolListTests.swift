import Foundation
import TestSupport
import Testing

/// The programs the tests need are listed once in Tests/TestSupport/Tools.swift; `make test` (the Makefile's
/// TEST_TOOLS) and CI (`.ci/packages`) must install exactly those, or a fresh machine fails the tests.
@Suite struct ToolListTests {
    @Test func theMakefileAndCIInstallEveryToolTheTestsNeed() throws {
        let makefile = try String(contentsOfFile: kitPath("Makefile"), encoding: .utf8)
        let line = try #require(makefile.split(separator: "\n").first { $0.hasPrefix("TEST_TOOLS :=") })
        let listed = line.dropFirst("TEST_TOOLS :=".count).split(separator: " ").map(String.init)
        #expect(listed == Tool.all.map { "\($0.command):\($0.debianPackage):\($0.brewPackage)" })

        // .ci/packages: one package per line, perhaps with a # comment — the list CI and the dev container install.
        let packages = try String(contentsOfFile: kitPath(".ci/packages"), encoding: .utf8)
        let installed = Set(
            packages.split(separator: "\n").compactMap {
                $0.split(separator: "#", omittingEmptySubsequences: false)[0].split(separator: " ").first.map(
                    String.init
                )
            }
        )
        #expect(installed.contains("libedit-dev"), "the package list was not found in .ci/packages: \(installed)")
        for tool in Tool.all {
            #expect(
                installed.contains(tool.debianPackage),
                ".ci/packages does not list \(tool.debianPackage) (\(tool.command))"
            )
        }
    }
}

/// A file of the kit, found from this source file's place in it (Tests/LabProgramTests/…).
private func kitPath(_ path: String, from source: String = #filePath) -> String {
    URL(fileURLWithPath: source).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(path).path
}
