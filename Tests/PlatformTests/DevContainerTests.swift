import DoctorKit
import Foundation
import LabSupport
import ProcessKit
import TelegramSandbox
import TestSupport
import Testing

/// The dev container: its image and packages are CI's, its editor has the Swift extension, its ports are the kit's.
/// No container runtime runs here, so its Dockerfile's install steps are run in a folder of their own, with apt
/// standing in for itself.
@Suite struct DevContainerTests {
    /// The Dockerfile's instructions, continuation lines joined.
    func instructions() throws -> [(keyword: String, arguments: String)] {
        try contents(".devcontainer/Dockerfile").replacingOccurrences(of: "\\\n", with: " ")
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map { line in
                let parts = line.split(separator: " ", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }
    }

    /// The packages of .ci/packages.
    func packages() throws -> [String] {
        try contents(".ci/packages").split(separator: "\n")
            .flatMap {
                $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0].split(separator: " ")
            }
            .map(String.init)
    }

    @Test func theImageIsTheToolchainTheKitIsTestedWith() throws {
        let from = try #require(try instructions().first { $0.keyword == "FROM" })
        #expect(from.arguments == "swift:\(Doctor.testedSwift)-bookworm")
    }

    @Test func ciAndTheContainerInstallTheOneList() throws {
        #expect(try contents(".ci/run").split(separator: "\n").contains { $0.hasPrefix(".ci/install-packages") })
        let copy = try #require(try instructions().first { $0.keyword == "COPY" })
        #expect(copy.arguments.contains(".ci/packages") && copy.arguments.contains(".ci/install-packages"))
        let run = try #require(try instructions().first { $0.keyword == "RUN" })
        #expect(run.arguments.contains("install-packages") && run.arguments.contains("/packages"))
        #expect(try packages().contains("libedit-dev"))
    }

    /// Runs the Dockerfile's COPY and RUN steps in a folder standing for the image's root, with dpkg-query and
    /// apt-get (and sudo) replaced by scripts that log what they were asked: first on an image without any of the
    /// packages, then on one that has them all.
    @Test func theDockerfilesInstallStepsInstallExactlyTheList() throws {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("image-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        let stubs = root.appendingPathComponent("stubs")
        try FileManager.default.createDirectory(at: stubs, withIntermediateDirectories: true)
        let log = root.appendingPathComponent("apt.log").path
        let scripts = [
            "dpkg-query":
                #"for p in $INSTALLED; do [ "$p" = "${@: -1}" ] && { printf 'install ok installed'; exit 0; }; done; exit 1"#,
            "apt-get": "echo \"$*\" >> \"$APT_LOG\"",
            "sudo": "\"$@\"",
        ]
        for (name, body) in scripts {
            let path = stubs.appendingPathComponent(name).path
            try writeExecutable("#!/usr/bin/env bash\n\(body)\n", to: path)
        }
        /// An absolute path of the image, inside `root`.
        func inImage(_ text: String) -> String { text.replacing(#/(^|\s)\//#) { $0.output.1 + root.path + "/" } }

        func build(installed: [String]) throws -> [String] {
            try? FileManager.default.removeItem(atPath: log)
            for (keyword, arguments) in try instructions() {
                switch keyword {
                case "COPY":
                    let words = arguments.split(separator: " ").map(String.init)
                    let destination = root.path + words.last!
                    try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
                    for source in words.dropLast() {
                        let target = destination + "/" + URL(fileURLWithPath: source).lastPathComponent
                        try? FileManager.default.removeItem(atPath: target)
                        try FileManager.default.copyItem(
                            atPath: repository.appendingPathComponent(source).path,
                            toPath: target
                        )
                    }
                case "RUN":
                    let run = try ChildProcess.run(
                        "bash",
                        ["-c", inImage(arguments)],
                        environment: [
                            "PATH": stubs.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                            "INSTALLED": installed.joined(separator: " "), "APT_LOG": log,
                        ],
                        timeout: .seconds(30)
                    )
                    try #require(run.termination.succeeded, "RUN \(arguments) failed: \(run.standardError)")
                default:
                    continue
                }
            }
            #expect(
                !FileManager.default.fileExists(atPath: root.path + "/tmp/kit-setup"),
                "the RUN step leaves its files behind"
            )
            return ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        let list = try packages()
        let fresh = try build(installed: [])
        #expect(fresh.first == "update -qq")
        #expect(fresh.dropFirst().first == "install -y -qq " + list.joined(separator: " "))
        #expect(try build(installed: Array(list.dropLast())) == ["update -qq", "install -y -qq " + list.last!])
        #expect(try build(installed: list) == [])
    }

    /// The packages exist under these names in the image's Debian release (this machine's, when it is the same).
    @Test(.enabled(if: debianRelease() == "bookworm", "needs apt on Debian 12, the image's release"))
    func everyPackageExistsInTheImagesDebian() throws {
        for package in try packages() {
            let show = try ChildProcess.run("apt-cache", ["show", "--no-all-versions", package], timeout: .seconds(30))
            #expect(show.termination.succeeded && show.standardOutput.contains("Package: \(package)"), "\(package)")
        }
    }

    @Test func theEditorAndThePorts() throws {
        let data = try Data(contentsOf: repository.appendingPathComponent(".devcontainer/devcontainer.json"))
        let settings = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let build = try #require(settings["build"] as? [String: String])
        #expect(build["dockerfile"] == "Dockerfile" && build["context"] == "..")
        let vscode = (settings["customizations"] as? [String: Any])?["vscode"] as? [String: Any]
        #expect((vscode?["extensions"] as? [String])?.contains("swiftlang.swift-vscode") == true)
        let ports = try #require(settings["forwardPorts"] as? [Int])
        #expect(ports.contains(Int(SandboxConfiguration.defaultPort)))
        let lecturePort = try EndpointOptions.parse([]).port
        #expect(ports.contains(lecturePort))
        #expect(Doctor.sandboxPort == Int(SandboxConfiguration.defaultPort) && Doctor.lecturePort == lecturePort)
        #expect(
            (settings["runArgs"] as? [String])?.contains { $0.hasPrefix("nofile=") } == true,
            "lab 4 needs descriptors"
        )
    }
}

/// VERSION_CODENAME of /etc/os-release, if this is Debian.
func debianRelease() -> String? {
    guard let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8), release.contains("ID=debian"),
        FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-cache")
    else { return nil }
    return release.split(separator: "\n").first { $0.hasPrefix("VERSION_CODENAME=") }.map { String($0.dropFirst(17)) }
}
