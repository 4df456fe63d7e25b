import Foundation
import LabSupport
import ProcessKit
import SocketKit

/// One line of `make doctor`: a requirement, what this machine has, and how to fix it when that is not enough.
public struct Finding: Sendable, Equatable, CustomStringConvertible {
    public enum Status: Sendable, Equatable {
        /// Ready.
        case ok
        /// Works, but slowly, or only an instructor's command (`make test`, `make diagrams`) needs what is missing.
        case advice
        /// A lab needs this and it is missing: `make doctor` fails.
        case missing
    }

    /// Short, as `make doctor` lists it: "swift", "libedit", "nc", "descriptors", …
    public let requirement: String
    public let status: Status
    /// What was found (or not), and who needs it.
    public let detail: String
    /// The command or step that fixes it; nil when the status is ok.
    public let fix: String?

    public init(_ requirement: String, _ status: Status, _ detail: String, fix: String? = nil) {
        self.requirement = requirement
        self.status = status
        self.detail = detail
        self.fix = fix
    }

    /// `✗ nc           not found: the "Try it" peer of labs 2–5. Fix: sudo apt-get install netcat-openbsd`
    public var description: String {
        let mark =
            switch status {
            case .ok: "✓"
            case .advice: "!"
            case .missing: "✗"
            }
        let name = requirement.padding(toLength: max(requirement.count, 12), withPad: " ", startingAt: 0)
        return "\(mark) \(name) \(detail)" + (fix.map { ". Fix: \($0)" } ?? "")
    }
}

/// The machine's problems for the labs: every finding of `Doctor().examine()` that is not ok. A checker whose step
/// failed for a reason of the machine (no free port, too few descriptors, no `nc`) can show these and point at
/// `make doctor`.
public func machineProblems(packageDirectory: String = ".") -> [Finding] {
    Doctor(packageDirectory: packageDirectory).examine().filter { $0.status != .ok }
}

/// What `make doctor` checks: each thing the labs need from the machine, one finding each, in the order a student
/// should fix them.
public struct Doctor: Sendable {
    /// The toolchain the kit is tested with: the dev container's image (.devcontainer/Dockerfile) and CI's.
    public static let testedSwift = "6.3.1"
    /// Lab 4's check opens 150 connections at once; the checker needs a descriptor per connection, and a few more.
    public static let lab4Descriptors = 200
    /// A debug build of the whole kit with its tests takes about 400 MB, `make bench`'s optimised one 200 MB more.
    public static let buildSpace: UInt64 = 1 << 30
    /// The lecture's port, every lab server's default.
    public static let lecturePort = LabSupport.lecturePort
    /// The Telegram sandbox's default (`make sandbox`).
    public static let sandboxPort = 8081

    /// The kit's folder: its disk and its path are examined.
    public var packageDirectory: String
    /// The Swift command `make` uses.
    public var swift: String
    /// Where tools are looked for: PATH.
    public var searchPath: String

    public init(
        packageDirectory: String = ".",
        swift: String = "swift",
        searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    ) {
        self.packageDirectory = packageDirectory
        self.swift = swift
        self.searchPath = searchPath
    }

    public func examine() -> [Finding] {
        [swiftVersion(), libedit()] + Tool.all.map(find) + [descriptors(), loopback()]
            + [Self.lecturePort, Self.sandboxPort].map(portIsFree) + [diskSpace(), folder(), repository()]
    }

    // MARK: The toolchain

    func swiftVersion() -> Finding {
        let output: String
        do {
            let run = try ChildProcess.run(swift, ["--version"], timeout: .seconds(30))
            output = run.standardOutput + run.standardError
        } catch {
            return Finding(
                "swift",
                .missing,
                "\(swift) not found",
                fix:
                    "install Swift \(Self.testedSwift) from https://www.swift.org/install (or use the dev container: see the README)"
            )
        }
        guard let found = Self.version(in: output) else {
            return Finding("swift", .advice, "\(swift) --version printed no version I know: \(output.prefix(80))")
        }
        let shown = found.map(String.init).joined(separator: ".")
        let tested = Self.version(in: "version " + Self.testedSwift)!
        if found.lexicographicallyPrecedes([6]) {
            return Finding(
                "swift",
                .missing,
                "Swift \(shown): the kit needs Swift 6",
                fix: "install Swift \(Self.testedSwift) from https://www.swift.org/install"
            )
        }
        if found.lexicographicallyPrecedes(tested) {
            return Finding(
                "swift",
                .advice,
                "Swift \(shown), older than \(Self.testedSwift), the version the kit is tested with; if a build fails",
                fix: "install Swift \(Self.testedSwift) (https://www.swift.org/install), or use the dev container"
            )
        }
        return Finding(
            "swift",
            .ok,
            "Swift \(shown)"
                + (found == tested
                    ? ", the version the kit is tested with" : " (the kit is tested with \(Self.testedSwift))")
        )
    }

    /// [6, 3, 1] from "Swift version 6.3.1 (swift-6.3.1-RELEASE)" or "Apple Swift version 6.2 (swiftlang-…)".
    static func version(in text: String) -> [Int]? {
        guard let match = text.firstMatch(of: /version (\d+)\.(\d+)(?:\.(\d+))?/) else { return nil }
        return [match.1, match.2, match.3 ?? "0"].compactMap { Int($0) }
    }

    func libedit() -> Finding {
        switch Platform.libedit {
        case .pkgConfig:
            guard let pkgConfig = locate("pkg-config") else {
                return Finding(
                    "libedit",
                    .missing,
                    "pkg-config not found, so libedit cannot be found either (labrepl and make check need both)",
                    fix: packageManager.install(["libedit-dev", "pkg-config"], dnf: ["libedit-devel", "pkgconf"])
                )
            }
            guard
                (try? ChildProcess.run(pkgConfig, ["--exists", "libedit"], timeout: .seconds(30)).termination.succeeded)
                    == true
            else {
                return Finding(
                    "libedit",
                    .missing,
                    "libedit's headers not found (labrepl and make check need them)",
                    fix: packageManager.install(["libedit-dev"], dnf: ["libedit-devel"])
                )
            }
            return Finding("libedit", .ok, "found by pkg-config")
        case .sdk:
            guard let run = try? ChildProcess.run("xcrun", ["--show-sdk-path"], timeout: .seconds(30)),
                run.termination.succeeded
            else {
                return Finding(
                    "libedit",
                    .missing,
                    "no macOS SDK (it holds libedit, and the rest of what Swift builds with)",
                    fix: "xcode-select --install"
                )
            }
            let sdk = run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            guard FileManager.default.fileExists(atPath: sdk + "/usr/include/editline/readline.h") else {
                return Finding(
                    "libedit",
                    .missing,
                    "the macOS SDK at \(sdk) has no editline/readline.h",
                    fix:
                        "reinstall the Command Line Tools: sudo rm -rf /Library/Developer/CommandLineTools && xcode-select --install"
                )
            }
            return Finding("libedit", .ok, "the macOS SDK's")
        }
    }

    // MARK: Tools

    /// A program the labs or the kit's tests run.
    struct Tool: Sendable {
        let command: String
        let usedBy: String
        let neededByLabs: Bool
        let debian: String
        let fedora: String
        /// On macOS: nil when macOS has it already.
        let homebrew: String?

        static let all = [
            Tool(
                command: "python3",
                usedBy: "the lecture's Python programs (labs 4 and 5) and make demo",
                neededByLabs: true,
                debian: "python3",
                fedora: "python3",
                homebrew: "python3"
            ),
            Tool(
                command: "nc",
                usedBy: "the \"Try it\" peer of labs 2–5",
                neededByLabs: true,
                debian: "netcat-openbsd",
                fedora: "nmap-ncat",
                homebrew: nil
            ),
            Tool(
                command: "socat",
                usedBy: "make test only",
                neededByLabs: false,
                debian: "socat",
                fedora: "socat",
                homebrew: "socat"
            ),
            Tool(
                command: "tmux",
                usedBy: "make test only (labrepl's terminal test)",
                neededByLabs: false,
                debian: "tmux",
                fedora: "tmux",
                homebrew: "tmux"
            ),
            Tool(
                command: "dot",
                usedBy: "make diagrams only (lab 5's diagrams are in the kit already)",
                neededByLabs: false,
                debian: "graphviz",
                fedora: "graphviz",
                homebrew: "graphviz"
            ),
        ]
    }

    func find(_ tool: Tool) -> Finding {
        if let path = locate(tool.command) { return Finding(tool.command, .ok, path) }
        var fix = packageManager.install([tool.debian], dnf: [tool.fedora], brew: tool.homebrew.map { [$0] })
        if tool.command == "python3", Platform.name == "macOS", packageManager == .none {
            fix = "xcode-select --install (the Command Line Tools bring python3)"
        }
        return Finding(tool.command, tool.neededByLabs ? .missing : .advice, "not found: \(tool.usedBy)", fix: fix)
    }

    /// The first executable called `command` in the search path.
    func locate(_ command: String) -> String? {
        searchPath.split(separator: ":").map { "\($0)/\(command)" }.first {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    enum PackageManager: Equatable {
        case apt, dnf, brew, none

        func install(_ debian: [String], dnf fedora: [String]? = nil, brew homebrew: [String]? = nil) -> String {
            switch self {
            case .apt: "sudo apt-get install " + debian.joined(separator: " ")
            case .dnf: "sudo dnf install " + (fedora ?? debian).joined(separator: " ")
            case .brew:
                homebrew.map { "brew install " + $0.joined(separator: " ") }
                    ?? "it comes with macOS: is your PATH changed?"
            case .none:
                Platform.name == "macOS"
                    ? "install Homebrew (https://brew.sh), then brew install "
                        + (homebrew ?? debian).joined(separator: " ")
                    : "install " + debian.joined(separator: " ")
                        + " (Debian/Ubuntu names) with your system's package manager"
            }
        }
    }

    var packageManager: PackageManager {
        if locate("apt-get") != nil { return .apt }
        if locate("dnf") != nil { return .dnf }
        if locate("brew") != nil { return .brew }
        return .none
    }

    // MARK: The system

    func descriptors() -> Finding {
        let needed = Self.lab4Descriptors
        let raise =
            Platform.name == "macOS"
            ? "sudo launchctl limit maxfiles 65536 200000, then open a new terminal"
            : "add the line `* hard nofile 4096` to /etc/security/limits.conf and log in again (a container: docker run --ulimit nofile=4096:4096; the dev container has it)"
        guard let (soft, hard) = try? getOpenFileLimit() else {
            return Finding("descriptors", .advice, "cannot read the limit on open descriptors (getrlimit failed)")
        }
        guard hard >= needed else {
            return Finding(
                "descriptors",
                .missing,
                "at most \(hard) open descriptors (ulimit -Hn): lab 4's check opens 150 connections at once and needs \(needed)",
                fix: raise
            )
        }
        guard soft < needed else { return Finding("descriptors", .ok, "\(soft) open descriptors allowed") }
        // Programs raise their own soft limit (raiseOpenFileLimit()); make sure the system lets them.
        do {
            try setOpenFileLimit(needed)
            try setOpenFileLimit(soft)
        } catch {
            return Finding(
                "descriptors",
                .missing,
                "the soft limit (\(soft)) cannot be raised to \(needed): \(error)",
                fix: raise
            )
        }
        return Finding("descriptors", .ok, "\(soft), and programs may raise it to \(hard) (lab 4 needs \(needed))")
    }

    func loopback() -> Finding {
        do {
            let server = try Socket.createServer(("127.0.0.1", 0))
            defer { server.close() }
            let port = try server.getSockName().port
            let client = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
            client.close()
            return Finding("free port", .ok, "127.0.0.1:\(port) listens and accepts (--port 0 works)")
        } catch {
            return Finding(
                "free port",
                .missing,
                "no TCP server on 127.0.0.1: \(error)",
                fix:
                    "is a firewall, VPN or sandbox blocking local connections? Allow them for Terminal and the kit's programs"
            )
        }
    }

    func portIsFree(_ port: Int) -> Finding {
        let name = "port \(port)"
        let use = port == Self.sandboxPort ? "make sandbox's" : "the lecture's, every lab server's default"
        do {
            try Socket.createServer(("127.0.0.1", port)).close()
            return Finding(name, .ok, "free (\(use))")
        } catch let error as SocketError where error.errno == EADDRINUSE {
            let who = Platform.name == "macOS" ? "lsof -nP -iTCP:\(port) -sTCP:LISTEN" : "ss -ltnp 'sport = :\(port)'"
            return Finding(
                name,
                .advice,
                "in use (\(use)): a server you started earlier may still be running",
                fix: "find it with \(who) and stop it, or give your server --port 0"
            )
        } catch {
            return Finding(name, .advice, "cannot listen on it (\(use)): \(error)", fix: "give your servers --port 0")
        }
    }

    // MARK: The kit's folder

    func diskSpace() -> Finding {
        guard let free = freeBytes(at: packageDirectory) else {
            return Finding("disk space", .advice, "cannot read the free space of \(packageDirectory)")
        }
        let shown = ByteCountFormatter.string(fromByteCount: Int64(clamping: free), countStyle: .file)
        guard free >= Self.buildSpace else {
            return Finding(
                "disk space",
                .missing,
                "\(shown) free: a build of the kit needs about 1 GB",
                fix: "free some space (make clean in other Swift projects removes their builds)"
            )
        }
        return Finding("disk space", .ok, "\(shown) free")
    }

    /// `make reset` finds the starter code in git, and `make submit-check` says what is not committed: the kit's
    /// folder should be a repository (a clone, or GitHub Classroom's), not a copied folder.
    func repository() -> Finding {
        guard let git = locate("git") else {
            return Finding(
                "git",
                .advice,
                "not found: make reset and make submit-check use it",
                fix: packageManager.install(["git"])
            )
        }
        let inside = try? ChildProcess.run(
            git,
            ["-C", packageDirectory, "rev-parse", "--is-inside-work-tree"],
            timeout: .seconds(10)
        )
        if inside?.termination.succeeded == true { return Finding("git", .ok, "the kit's folder is a git repository") }
        return Finding(
            "git",
            .advice,
            "the kit's folder is not a git repository: make reset finds the starter code in git, and make submit-check says what is not committed",
            fix: "git init && git add -A && git commit -m \"the kit as handed out\""
        )
    }

    func folder() -> Finding {
        let path = URL(fileURLWithPath: packageDirectory).standardizedFileURL.path
        if path.contains(where: \.isWhitespace) {
            return Finding(
                "folder",
                .missing,
                "\(path) has a space in it, which make's commands cannot handle",
                fix: "move the kit to a folder whose path has no spaces, such as ~/labs/network-kit"
            )
        }
        let synced = [
            "Dropbox", "OneDrive", "Google Drive", "GoogleDrive", "iCloud", "Mobile Documents", "CloudStorage",
            "pCloud", "Box Sync",
        ]
        if let service = synced.first(where: { path.contains("/" + $0) }) {
            return Finding(
                "folder",
                .advice,
                "\(path) is in a synced folder (\(service)): syncing a build's thousands of files slows it down, and watch mode may miss saves",
                fix: "move the kit to a folder that is not synced, such as ~/labs/network-kit"
            )
        }
        guard let disk = Platform.fileSystem(at: path) else { return Finding("folder", .ok, path) }
        let inContainer = ["/.dockerenv", "/run/.containerenv"].contains { FileManager.default.fileExists(atPath: $0) }
        if !disk.isLocal && inContainer {
            return Finding(
                "folder",
                .advice,
                "\(path) is shared with the computer outside the container (\(disk.type)): the dev container builds in a volume, but watch mode may miss saves",
                fix: "for both, open the kit with VS Code's \"Dev Containers: Clone Repository in Container Volume\""
            )
        }
        guard disk.isLocal else {
            let wsl = Platform.name == "Linux" && path.hasPrefix("/mnt/") && disk.type == "9p"
            return Finding(
                "folder",
                .advice,
                wsl
                    ? "\(path) is a Windows folder seen from WSL (9p): builds are slow and watch mode misses saves"
                    : "\(path) is on a shared or network disk (\(disk.type)): builds are slow and watch mode may miss saves",
                fix: wsl
                    ? "clone the kit inside WSL, in your Linux home: cd ~ && git clone …"
                    : "work in a folder on this machine's own disk, such as ~/labs/network-kit"
            )
        }
        return Finding("folder", .ok, "\(path), on a local disk")
    }
}
