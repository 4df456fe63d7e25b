import DoctorKit
import Foundation
import ProcessKit
import TestSupport
import Testing

@testable import LabCheckKit

/// What of Gradescope's autograder can be tested without Gradescope's Ubuntu image: the scripts parse, setup.sh
/// builds the toolchain's address and version right and reads the kit's package list (its --dry-run), and refuses
/// an image it has no toolchain for. (Downloading and installing the toolchain is not tried here.)
@Suite struct AutograderScriptTests {
    static let scripts = kitRoot + "/.ci/autograder"

    @Test(arguments: ["setup.sh", "run_autograder", "make-zip"])
    func theScriptParses(_ script: String) throws {
        let checked = try ChildProcess.run("bash", ["-n", Self.scripts + "/" + script], timeout: .seconds(20))
        #expect(checked.termination.succeeded, "\(script): \(checked.standardError)")
        #expect(FileManager.default.isExecutableFile(atPath: Self.scripts + "/" + script))
    }

    /// `setup.sh --dry-run` on a pretend machine: its lines, by their names.
    func dryRun(
        ubuntu version: String,
        id: String = "ubuntu",
        arch: String = "amd64"
    ) throws -> (ChildProcess.Finished, [String: String]) {
        let folder = try makeTemporaryDirectory(prefix: "setup-dry-run")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("NAME=\"Ubuntu\"\nID=\(id)\nVERSION_ID=\"\(version)\"\n", to: folder + "/os-release")
        let ran = try ChildProcess.run(
            "bash",
            [Self.scripts + "/setup.sh", "--dry-run"],
            environment: ["SETUP_OS_RELEASE": folder + "/os-release", "SETUP_ARCH": arch, "SETUP_KIT": kitRoot],
            timeout: .seconds(20)
        )
        var fields: [String: String] = [:]
        for line in ran.standardOutput.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (ran, fields)
    }

    @Test func theToolchainIsSwiftOrgsTarballOfTheKitsVersionForThisUbuntu() throws {
        let version = Doctor.testedSwift
        let tag = "swift-\(version)-RELEASE"
        for (ubuntu, arch, platform) in [
            ("22.04", "amd64", "ubuntu22.04"), ("24.04", "amd64", "ubuntu24.04"),
            ("24.04", "arm64", "ubuntu24.04-aarch64"),
        ] {
            let (ran, fields) = try dryRun(ubuntu: ubuntu, arch: arch)
            try #require(ran.termination.succeeded, "\(ran.standardError)")
            #expect(fields["swift"] == version)
            let directory = platform.replacingOccurrences(of: ".", with: "")
            let url =
                "https://download.swift.org/swift-\(version)-release/\(directory)/\(tag)/\(tag)-\(platform).tar.gz"
            #expect(fields["toolchain"] == url)
            #expect(fields["signature"] == url + ".sig")
            #expect(fields["signing key"]?.hasPrefix("52BB7E3DE28A71BE22EC05FFEF80A866B47A981F ") == true)
            #expect(
                fields["toolchain packages"]?.contains(ubuntu == "22.04" ? "libstdc++-11-dev" : "libstdc++-13-dev")
                    == true
            )
        }
    }

    @Test func thePackagesAreTheKitsOneList() throws {
        let (ran, fields) = try dryRun(ubuntu: "22.04")
        try #require(ran.termination.succeeded, "\(ran.standardError)")
        let listed = try read(kitRoot + "/.ci/packages").split(separator: "\n")
            .compactMap { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first }
            .flatMap { $0.split(separator: " ").map(String.init) }
        #expect(!listed.isEmpty)
        #expect(fields["kit packages"]?.split(separator: " ").map(String.init) == listed)
        #expect(listed.contains("libedit-dev") && listed.contains("make"))
    }

    @Test func anImageWithoutAToolchainIsRefusedWithTheFix() throws {
        for (id, version) in [("debian", "12"), ("ubuntu", "20.04")] {
            let (ran, _) = try dryRun(ubuntu: version, id: id)
            #expect(!ran.termination.succeeded)
            #expect(ran.standardError.contains("Ubuntu 22.04 and 24.04"), "\(ran.standardError)")
        }
    }
}

/// The autograder end to end (make autograder-test; not part of make test, since it builds a second copy of the
/// kit): make autograder's zip, unpacked into a fake /autograder as Gradescope unpacks it, setup.sh's build, then
/// run_autograder on three submissions — the untouched starter (just its Sources/ folder), the reference solutions
/// (a student's copy of the kit), and a zip of a kit whose labs do not compile. And setup.sh's signature check.
@Suite(.serialized) struct AutograderEndToEndTests {
    @Test func threeSubmissionsGradedInAFakeAutograderRoot() throws {
        let root = try makeTemporaryDirectory(prefix: "autograder")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let zip = root + "/autograder.zip"
        let made = try run(
            ["make", "--no-print-directory", "autograder", "OUT=\(zip)"],
            in: kitRoot,
            timeout: .seconds(120)
        )
        try #require(made.termination.succeeded, "make autograder: \(made.standardOutput)\(made.standardError)")

        // Gradescope: the zip in source/, run_autograder beside it.
        let entries = try unzip(zip, into: root + "/source")
        #expect(
            entries["setup.sh"] == 0o755 && entries["run_autograder"] == 0o755,
            "the scripts must be executable in the zip"
        )
        #expect(!entries.keys.contains { $0.hasPrefix("kit/Solutions/") }, "the zip carries the reference solutions")
        #expect(entries.keys.contains { $0.hasPrefix("kit/Sources/HeldBackChecks/") })
        #expect(entries.keys.contains("kit/.autograder/starters/Lab1Greeting/Human.swift"))
        try FileManager.default.copyItem(atPath: root + "/source/run_autograder", toPath: root + "/run_autograder")
        let kit = root + "/source/kit"

        // setup.sh's last part, with this machine's Swift: builds what a grading run builds.
        let setup = try ChildProcess.run(root + "/source/setup.sh", ["--build"], timeout: .seconds(1200))
        try #require(setup.termination.succeeded, "setup.sh --build: \(setup.standardOutput)\(setup.standardError)")

        // 1. The untouched starter, as its Sources/ folder: zero, every test failed with its reason.
        try submit { submission in
            for name in try labFolders(kit + "/.autograder/starters") {
                try FileManager.default.copyItem(
                    atPath: kit + "/.autograder/starters/" + name,
                    toPath: submission + "/Sources/" + name
                )
            }
        }
        let starter = try grade(root)
        #expect(starter.score == 0)
        #expect(!starter.tests.isEmpty && starter.tests.allSatisfy { $0.status == "failed" })
        for test in starter.tests {
            #expect(
                test.output.contains("not implemented") || test.output.contains("not run: needs"),
                "\(test.name): \(test.output)"
            )
        }

        // 2. The reference solutions, as a student's copy of the kit: full marks, held-back checks included.
        try submit { submission in
            let copy = submission + "/network-labs"
            for name in try labFolders(kitRoot + "/Solutions") {
                try copyAsStudentsOwn(kitRoot + "/Solutions/" + name, to: copy + "/Sources/" + name)
            }
            try write("2026-11-30T10:00:00Z lab 1 step 1 passed\n", to: copy + "/.labcheck/progress.log")
        }
        let started = ContinuousClock.now
        let reference = try grade(root)
        let took = ContinuousClock.now - started
        print(
            "autograder: the reference solutions of all six labs graded in \(took.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))) (build and checks, setup done)"
        )
        #expect(reference.score == reference.maxScore && reference.maxScore > 0)
        let failed = reference.tests.filter { $0.status != "passed" }
        #expect(failed.isEmpty, "\(failed.map { "\($0.name): \($0.output)" })")
        #expect(reference.tests.contains { $0.number.hasSuffix("h") }, "no held-back check ran")
        #expect(reference.tests.count == starter.tests.count)
        #expect(reference.output.contains("Taken from your submission: Lab1Greeting"), "\(reference.output)")
        #expect(
            reference.output.contains("Not in it, so the kit's own copy stands in (the starter): Lab5Given"),
            "\(reference.output)"
        )

        // 3. A zip of a kit whose labs do not compile: zero, each test naming the compiler's error.
        try submit { submission in
            let staging = root + "/broken"
            for name in try labFolders(kit + "/.autograder/starters") {
                try FileManager.default.copyItem(
                    atPath: kit + "/.autograder/starters/" + name,
                    toPath: staging + "/kit/Sources/" + name
                )
                guard
                    let file = try FileManager.default.contentsOfDirectory(atPath: staging + "/kit/Sources/" + name)
                        .sorted().first
                else { continue }
                let path = staging + "/kit/Sources/" + name + "/" + file
                try write(try read(path) + "\nthis is not Swift\n", to: path)
            }
            let zipped = try run(["python3", "-m", "zipfile", "-c", submission + "/work.zip", "kit"], in: staging)
            try #require(zipped.termination.succeeded, "\(zipped.standardError)")
        }
        let broken = try grade(root)
        #expect(broken.score == 0)
        #expect(broken.tests.count == starter.tests.count)
        for test in broken.tests {
            #expect(test.status == "failed")
            #expect(
                test.output.contains("do not compile") && test.output.contains("error:"),
                "\(test.name): \(test.output)"
            )
        }
        #expect(broken.output.contains("(unpacked from work.zip)"), "\(broken.output)")

        func submit(_ fill: (String) throws -> Void) throws {
            let submission = root + "/submission"
            try? FileManager.default.removeItem(atPath: submission)
            try FileManager.default.createDirectory(atPath: submission + "/Sources", withIntermediateDirectories: true)
            try fill(submission)
        }
    }

    /// setup.sh's signature check, tried on a stand-in for the toolchain with keys made here: the pinned key's
    /// signature passes; another key's (even one in the same key file), or a changed file, is refused.
    @Test(.requires(tool: "gpg")) func setupInstallsOnlyWhatThePinnedKeySigned() throws {
        let folder = try makeTemporaryDirectory(prefix: "setup-signature")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let home = folder + "/gnupg"
        try FileManager.default.createDirectory(
            atPath: home,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        func gpg(_ arguments: [String]) throws -> String {
            let ran = try ChildProcess.run(
                "gpg",
                ["--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", ""] + arguments,
                environment: ["GNUPGHOME": home],
                timeout: .seconds(60)
            )
            try #require(ran.termination.succeeded, "gpg \(arguments.joined(separator: " ")): \(ran.standardError)")
            return ran.standardOutput
        }
        var fingerprints: [String] = []
        for who in ["release@example.org", "other@example.org"] {
            _ = try gpg(["--quick-gen-key", "Test <\(who)>", "ed25519", "sign", "never"])
            let listed = try gpg(["--list-keys", "--with-colons", who])
            fingerprints.append(
                try #require(
                    listed.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":").last.map(
                        String.init
                    )
                )
            )
        }
        try write("a toolchain", to: folder + "/swift.tar.gz")
        _ = try gpg([
            "--local-user", fingerprints[0], "--detach-sign", "-o", folder + "/good.sig", folder + "/swift.tar.gz",
        ])
        _ = try gpg([
            "--local-user", fingerprints[1], "--detach-sign", "-o", folder + "/other.sig", folder + "/swift.tar.gz",
        ])
        try write(try gpg(["--armor", "--export"]), to: folder + "/keys.asc")

        func verify(_ signature: String) throws -> ChildProcess.Finished {
            try ChildProcess.run(
                "bash",
                [
                    AutograderScriptTests.scripts + "/setup.sh", "--verify", folder + "/swift.tar.gz",
                    folder + "/" + signature,
                ],
                environment: ["SETUP_KEYS": folder + "/keys.asc", "SETUP_SIGNING_KEY": fingerprints[0]],
                timeout: .seconds(60)
            )
        }
        let good = try verify("good.sig")
        #expect(good.termination.succeeded, "\(good.standardError)")
        let other = try verify("other.sig")
        #expect(!other.termination.succeeded && other.standardError.contains("is not signed by the Swift release key"))
        try write("a toolchain, changed", to: folder + "/swift.tar.gz")
        #expect(!(try verify("good.sig")).termination.succeeded)
    }

    struct Results {
        struct Test {
            let name: String
            let number: String
            let status: String
            let output: String
        }

        let score: Int
        let maxScore: Int
        let output: String
        let tests: [Test]
    }

    /// Runs run_autograder as Gradescope would, against the fake root; reads results/results.json.
    func grade(_ root: String) throws -> Results {
        let ran = try run(
            [root + "/run_autograder"],
            in: root + "/source",
            environment: ["AUTOGRADER_ROOT": root],
            timeout: .seconds(900)
        )
        #expect(
            ran.termination.succeeded,
            "run_autograder: \(ran.standardOutput.suffix(3000))\(ran.standardError.suffix(2000))"
        )
        let json = try jsonObject(try read(root + "/results/results.json"))
        let tests = try #require(json["tests"] as? [[String: Any]]).map { test in
            Results.Test(
                name: test["name"] as? String ?? "",
                number: test["number"] as? String ?? "",
                status: test["status"] as? String ?? "",
                output: test["output"] as? String ?? ""
            )
        }
        let maxScore = try #require(json["tests"] as? [[String: Any]]).reduce(0) { $0 + ($1["max_score"] as? Int ?? 0) }
        return Results(
            score: json["score"] as? Int ?? -1,
            maxScore: maxScore,
            output: json["output"] as? String ?? "",
            tests: tests
        )
    }

    func labFolders(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("Lab") }.sorted()
    }

    /// A reference folder as a student's copy holds it: `import Lab5ProtocolSolution` is the student's `import Lab5Protocol`.
    func copyAsStudentsOwn(_ source: String, to destination: String) throws {
        for file in try FileManager.default.contentsOfDirectory(atPath: source) {
            let text = try read(source + "/" + file)
            try write(
                text.replacing(/(?m)^import (Lab\d\w*)Solution$/) { "import \($0.1)" },
                to: destination + "/" + file
            )
        }
    }

    /// Unpacks a zip with its files' modes, as Gradescope does; returns each entry's mode.
    func unzip(_ zip: String, into folder: String) throws -> [String: Int] {
        let script = """
            import json, os, sys, zipfile
            modes = {}
            with zipfile.ZipFile(sys.argv[1]) as archive:
                for info in archive.infolist():
                    path = archive.extract(info, sys.argv[2])
                    mode = (info.external_attr >> 16) & 0o777
                    if mode and not info.is_dir():
                        os.chmod(path, mode)
                    modes[info.filename] = mode
            print(json.dumps(modes))
            """
        let unpacked = try ChildProcess.run("python3", ["-c", script, zip, folder], timeout: .seconds(120))
        try #require(unpacked.termination.succeeded, "\(unpacked.standardError)")
        return try JSONDecoder().decode([String: Int].self, from: Data(unpacked.standardOutput.utf8))
    }
}
