import Foundation
import Testing

/// The platform lint (PlatformLint.swift) over the kit's sources, and over small sources that break each rule, so
/// that a lint that no longer finds anything shows up as a failure too.
@Suite struct LintTests {
    @Test func theKitsSourcesKeepDarwinCompilingByConstruction() throws {
        let violations = try PlatformLint(root: repository).check()
        #expect(violations.isEmpty, "\n\(violations.map(\.description).joined(separator: "\n"))")
    }

    /// A throwaway kit with one source file, linted.
    func lint(_ source: String, at path: String = "Sources/Demo/Demo.swift") throws -> [String] {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("lint-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try source.write(to: file, atomically: true, encoding: .utf8)
        return try PlatformLint(root: root).check().map(\.message)
    }

    @Test func aGlibcBlockWithoutDarwinTwinIsFound() throws {
        let found = try lint("#if canImport(Glibc)\nlet type = Int32(SOCK_STREAM.rawValue)\n#endif\n")
        #expect(found.contains { $0.contains("no Darwin twin") })
        #expect(
            try lint(
                "#if canImport(Glibc)\nlet type = Int32(SOCK_STREAM.rawValue)\n#elseif canImport(Darwin)\nlet type = SOCK_STREAM\n#endif\n"
            ).isEmpty
        )
    }

    @Test func glibcOnlyNamesOutsideLinuxBlocksAreFound() throws {
        let found = try lint("let flags = MSG_NOSIGNAL // no SIGPIPE\nlet text = \"epoll_wait in a string is prose\"\n")
        #expect(found.count == 1)
        #expect(found.first?.contains("MSG_NOSIGNAL") == true)
        #expect(try lint("let stat = \"/proc/self/stat\"\n").contains { $0.contains("/proc") })
    }

    @Test func darwinOnlyNamesOutsideDarwinBlocksAreFound() throws {
        #expect(try lint("var event = kevent()\n").contains { $0.contains("kevent") })
        #expect(try lint("#if canImport(Darwin)\nvar event = kevent()\n#endif\n").isEmpty)
    }

    @Test func bareCStreamsAreFoundButNotLabelsOrOwnNames() throws {
        #expect(try lint("fputs(\"x\", stderr)\n").contains { $0.contains("`stderr`") })
        #expect(try lint("func start(stdout: Int32) { if fd == stdout {} }\nstart(stdout: 1)\n").isEmpty)
        #expect(try lint("let stdin = Pipe(), stdout = Pipe()\nprocess.standardOutput = stdout\n").isEmpty)
    }

    @Test func importsAgreeOnPreconcurrency() throws {
        let found = try lint(
            "#if canImport(Glibc)\n@preconcurrency import Glibc\n#elseif canImport(Darwin)\nimport Darwin\n#endif\n"
        )
        #expect(found.contains { $0.contains("@preconcurrency") })
    }

    @Test func platformDifferencesInTwoFilesOfOneModuleAreFound() throws {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("lint-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("Sources/Demo")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let difference =
            "#if os(Linux)\nlet name = \"Linux\"\n#elseif canImport(Darwin)\nlet name = \"macOS\"\n#endif\n"
        try difference.write(to: folder.appendingPathComponent("A.swift"), atomically: true, encoding: .utf8)
        try difference.write(to: folder.appendingPathComponent("B.swift"), atomically: true, encoding: .utf8)
        let found = try PlatformLint(root: root).check().map(\.message)
        #expect(found.contains { $0.contains("keep them in one file") })
    }
}
