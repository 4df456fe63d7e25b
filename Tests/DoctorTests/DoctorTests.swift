import Foundation
import LabSupport
import ProcessKit
import SocketKit
import TestSupport
import Testing

@testable import DoctorKit

/// `make doctor` on a machine where a tool is missing: a PATH of our own making, with everything the doctor looks
/// for linked into it except the tool under test.
@Suite struct DoctorTests {
    /// A folder to use as PATH, with links to the real swift, pkg-config, apt-get, … and every tool the doctor
    /// looks for but `leftOut`. Removed when the test ends.
    final class FakePath {
        let directory: String

        init(leavingOut leftOut: Set<String>) throws {
            directory =
                FileManager.default.temporaryDirectory
                .appendingPathComponent("doctor-path-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let wanted = ["swift", "pkg-config", "apt-get", "dnf", "brew", "xcrun"] + Doctor.Tool.all.map(\.command)
            for command in wanted where !leftOut.contains(command) {
                guard let real = Doctor().locate(command) else { continue }
                try FileManager.default.createSymbolicLink(atPath: directory + "/" + command, withDestinationPath: real)
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    func runDoctor(path: FakePath) throws -> (lines: [String], status: Termination) {
        let run = try ChildProcess.run(
            try productsDirectory() + "/labdoctor",
            ["--package-dir", FileManager.default.currentDirectoryPath],
            environment: ["PATH": path.directory, "NO_COLOR": "1"],
            timeout: .seconds(60)
        )
        return (run.standardOutput.split(separator: "\n").map(String.init), run.termination)
    }

    @Test(.enabled(if: commandExists("nc"), "the machine has no nc to leave out"))
    func aToolALabNeedsIsMissing() throws {
        let (lines, status) = try runDoctor(path: try FakePath(leavingOut: ["nc"]))
        let line = try #require(
            lines.first { $0.hasPrefix("✗ nc ") },
            "no ✗ line for nc in:\n\(lines.joined(separator: "\n"))"
        )
        #expect(line.contains("not found"))
        #expect(line.contains("Fix: "))
        #expect(status == .exited(1))
        #expect(lines.contains { $0.contains("missing: fix the ✗ lines") })
    }

    @Test(.enabled(if: ["nc", "python3", "pkg-config", "socat"].allSatisfy(commandExists)))
    func aToolOnlyTheTestsNeedIsAdviceAndDoesNotFail() throws {
        let (lines, status) = try runDoctor(path: try FakePath(leavingOut: ["socat"]))
        let line = try #require(
            lines.first { $0.hasPrefix("! socat ") },
            "no ! line for socat in:\n\(lines.joined(separator: "\n"))"
        )
        #expect(line.contains("make test only"))
        #expect(!lines.contains { $0.hasPrefix("✗ ") }, "\(lines.joined(separator: "\n"))")
        #expect(status == .exited(0))
    }

    @Test func everyRequirementHasOneLine() throws {
        let (lines, _) = try runDoctor(path: try FakePath(leavingOut: []))
        for requirement in [
            "swift", "libedit", "python3", "nc", "socat", "tmux", "dot", "descriptors", "free port",
            "port \(lecturePort)", "port 8081", "disk space", "folder", "git",
        ] {
            #expect(lines.filter { $0.dropFirst(2).hasPrefix(requirement + " ") }.count == 1, "\(requirement)")
        }
    }

    @Test func withoutSwiftTheDoctorSaysSo() throws {
        let (lines, status) = try runDoctor(path: try FakePath(leavingOut: ["swift"]))
        #expect(lines.first?.hasPrefix("✗ swift ") == true, "\(lines.first ?? "")")
        #expect(status == .exited(1))
    }

    @Test func theFixNamesThePackageOfThisSystem() {
        let tool = Doctor.Tool.all.first { $0.command == "nc" }!
        #expect(
            Doctor.PackageManager.apt.install([tool.debian], dnf: [tool.fedora])
                == "sudo apt-get install netcat-openbsd"
        )
        #expect(Doctor.PackageManager.dnf.install([tool.debian], dnf: [tool.fedora]) == "sudo dnf install nmap-ncat")
        #expect(Doctor.PackageManager.brew.install(["graphviz"], brew: ["graphviz"]) == "brew install graphviz")
    }

    @Test func swiftVersions() {
        #expect(
            Doctor.version(in: "Swift version 6.3.1 (swift-6.3.1-RELEASE)\nTarget: x86_64-unknown-linux-gnu") == [
                6, 3, 1,
            ]
        )
        #expect(Doctor.version(in: "Apple Swift version 6.2 (swiftlang-6.2.0.19.9 clang-1700.3.19.1)") == [6, 2, 0])
        #expect(Doctor.version(in: "command not found") == nil)
    }

    @Test func aPortInUseIsReportedAsAdvice() throws {
        let server = try Socket.createServer(("127.0.0.1", 0))
        defer { server.close() }
        let finding = Doctor().portIsFree(try server.getSockName().port)
        #expect(finding.status == .advice)
        #expect(finding.detail.contains("in use"))
        #expect(finding.fix?.contains("--port 0") == true)
    }

    @Test func aFolderWithASpaceOrInASyncedFolder() throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("doctor-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: base) }
        let spaced = base.appendingPathComponent("My Labs").path
        let synced = base.appendingPathComponent("Dropbox/labs").path
        for folder in [spaced, synced] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }

        let space = Doctor(packageDirectory: spaced).folder()
        #expect(space.status == .missing)
        #expect(space.detail.contains("space"))
        let dropbox = Doctor(packageDirectory: synced).folder()
        #expect(dropbox.status == .advice)
        #expect(dropbox.detail.contains("Dropbox"))
        #expect(Doctor(packageDirectory: base.path).folder().status == .ok)  // the temporary folder: a local disk
    }

    @Test func aFolderThatIsNoRepositoryIsToldHowToMakeOne() throws {
        let folder = try makeTemporaryDirectory(prefix: "doctor-git")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bare = Doctor(packageDirectory: folder).repository()
        #expect(bare.status == .advice)
        #expect(bare.detail.contains("not a git repository"))
        #expect(bare.fix?.hasPrefix("git init && git add -A && git commit") == true)
        let initialized = try ChildProcess.run("git", ["-C", folder, "init", "-q"], timeout: .seconds(10))
        try #require(initialized.termination.succeeded, "\(initialized.standardError)")
        #expect(Doctor(packageDirectory: folder).repository().status == .ok)
    }

    @Test func machineProblemsListsWhatIsNotOKAndNothingElse() throws {
        let spaced = FileManager.default.temporaryDirectory
            .appendingPathComponent("doctor problems \(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: spaced, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: spaced) }
        let problems = machineProblems(packageDirectory: spaced)
        #expect(problems.contains { $0.requirement == "folder" && $0.status == .missing })
        #expect(problems.allSatisfy { $0.status != .ok })
    }
}
