import Foundation

/// A reading of the kit's Swift sources for what a Linux-only build cannot catch: code that compiles here and not on
/// macOS. It is a lint, not a compiler: it looks at `#if` blocks and names, line by line.
///
/// What it proves: every `#if canImport(Glibc)` or `#if os(Linux)` block has its Darwin twin beside it (or is listed
/// below with its reason); Glibc-only names are used only inside Linux-only blocks and Darwin-only names only inside
/// Darwin-only blocks; no file but LabSupport's StandardStream.swift names C's `stdout`, `stderr` or `stdin`; and
/// each module keeps its platform differences in one file. What it does not prove: that the Darwin side compiles
/// (`.ci/darwin-typecheck` checks SocketKit and a few files against a macOS SDK; the CI workflow's macOS job builds
/// everything), nor that a name missing from its lists is portable.
struct PlatformLint {
    struct Violation: CustomStringConvertible {
        let file: String
        let line: Int
        let message: String
        var description: String { "\(file):\(line): \(message)" }
    }

    /// Names Darwin lacks (or spells otherwise): Linux-only blocks only.
    static let glibcOnly = [
        #"\bSOCK_CLOEXEC\b"#, #"\bSOCK_NONBLOCK\b"#, #"\bMSG_NOSIGNAL\b"#, #"\baccept4\b"#, #"\bepoll_\w+"#,
        #"\bEPOLL\w*"#, #"\b__rlimit_resource_t\b"#, #"\b__sigaction_handler\b"#, #"\b__sighandler_t\b"#,
        #"\b(SOCK|RLIMIT|RUSAGE)_[A-Z]+\.rawValue\b"#, #"\bGlibc\."#, #"\bprctl\b"#, #"\bPR_SET_\w+"#,
        #"\binotify_\w+"#, #"\beventfd\b"#, #"\btimerfd_\w+"#, #"\bsignalfd\b"#, #"\bpipe2\b"#, #"\bdup3\b"#,
        #"\bSO_PEERCRED\b"#, #"\bprogram_invocation_name\b"#, #"\bst_[amc]tim\b"#, #"\bf_type\b"#,
        #"\bsysinfo\b"#, #"\bget_nprocs\b"#, #"\b__errno_location\b"#, #"\bTCP_QUICKACK\b"#, #"\bcshims_\w+"#,
    ]
    /// Names Linux lacks: Darwin-only blocks only.
    static let darwinOnly = [
        #"\bkqueue\(\)"#, #"\bkevent\b"#, #"\bEVFILT_\w+"#, #"\bNOTE_(TRIGGER|FFNOP)\b"#, #"\bSO_NOSIGPIPE\b"#,
        #"\b__sigaction_u\b"#, #"\bst_[amc]timespec\b"#, #"\b_NSGetEnviron\b"#, #"\bOPEN_MAX\b"#, #"\b__error\b"#,
        #"\bDarwin\."#, #"\bF_NOCACHE\b"#, #"\bMNT_LOCAL\b"#, #"\bf_fstypename\b"#, #"\bPOSIX_SPAWN_CLOEXEC_DEFAULT\b"#,
    ]

    /// Linux-only blocks without a Darwin twin in the same file, and why that is right.
    static let linuxOnlyBlocks: [String: String] = [
        "Sources/SocketKit/SelectorEpoll.swift": "the epoll back-end; its Darwin twin is SelectorKqueue.swift",
        "Tests/SocketKitTests/SelectorTests.swift": "a test of how epoll refuses regular files",
    ]

    /// Files that read /proc outside a Linux-only block, and why that is (still) so.
    static let procReaders: [String: String] = [
        "Sources/LabCheckKit/Labs/Lab4Checks.swift":
            "lab 4's CPU check, being made portable (issue 13, §2) by its owner"
    ]

    /// Modules allowed more than one file with platform differences, and why.
    static let severalPlatformFiles: [String: String] = [
        "Sources/SocketKit": "Platform.swift, and the selector's back-ends one file each (as swift-nio): "
            + "Selector.swift names them, SelectorEpoll.swift and SelectorKqueue.swift are them"
    ]

    let root: URL

    /// Every .swift file of Sources/, Solutions/ and Tests/, as paths relative to `root`, but the lint's own (its
    /// tests spell out the very names it looks for).
    func swiftFiles() -> [String] {
        ["Sources", "Solutions", "Tests"].flatMap { folder -> [String] in
            guard let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path) else {
                return []
            }
            return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.map { "\(folder)/\($0)" }
        }.filter { !$0.hasPrefix("Tests/PlatformTests/") }.sorted()
    }

    // MARK: Reading #if blocks

    enum Side { case linux, darwin, both }

    /// One `#if` … `#endif` chain: its branches' conditions, and where it starts.
    final class Chain {
        let line: Int
        var branches: [(condition: String, side: Side, lines: [String])] = []
        init(line: Int) { self.line = line }
    }

    /// Which platform a condition is about: Linux-only, Darwin-only, or neither/both.
    static func side(of condition: String) -> Side {
        let linux =
            condition.contains("canImport(Glibc)") || condition.contains("os(Linux)")
            || condition.contains("canImport(Musl)")
        let darwin = condition.contains("canImport(Darwin)") || condition.contains("os(macOS)")
        if condition.contains("||") || condition.contains("!") || linux == darwin { return .both }
        return linux ? .linux : .darwin
    }

    /// The chains of a file, and for each line the platform it is compiled for (.both outside platform blocks).
    static func read(_ lines: [String]) -> (chains: [Chain], sides: [Side]) {
        var chains: [Chain] = []
        var stack: [Chain] = []
        var sides: [Side] = []
        for (index, raw) in lines.enumerated() {
            // Trimming every line is slow in a debug build: only lines with a # can be directives.
            let line = raw.contains("#") ? raw.trimmingCharacters(in: .whitespaces) : raw
            if line.hasPrefix("#if ") {
                let chain = Chain(line: index + 1)
                let condition = String(line.dropFirst(4))
                chain.branches.append((condition, side(of: condition), []))
                stack.append(chain)
                chains.append(chain)
            } else if line.hasPrefix("#elseif "), let chain = stack.last {
                let condition = String(line.dropFirst(8))
                chain.branches.append((condition, side(of: condition), []))
            } else if line.hasPrefix("#else"), let chain = stack.last {
                let covered = Set(chain.branches.map(\.side))
                let side: Side = covered == [.darwin] ? .linux : covered == [.linux] ? .darwin : .both
                chain.branches.append(("else", side, []))
            } else if line.hasPrefix("#endif") {
                _ = stack.popLast()
            } else if let chain = stack.last {
                chain.branches[chain.branches.count - 1].lines.append(line.trimmingCharacters(in: .whitespaces))
            }
            let enclosing = stack.compactMap { $0.branches.last?.side }.filter { $0 != .both }
            sides.append(enclosing.last ?? .both)
        }
        return (chains, sides)
    }

    /// The code of a line without its string literals and its comment (so that prose naming `epoll` is not code).
    static func code(_ line: String) -> String {
        var text = line.replacing(#/"(?:[^"\\]|\\.)*"/#, with: "\"\"")
        if let comment = text.range(of: "//") { text = String(text[..<comment.lowerBound]) }
        return text
    }

    // MARK: The rules

    func check() throws -> [Violation] {
        var violations: [Violation] = []
        var platformFiles: [String: [String]] = [:]
        // Each list as one alternation, compiled once: Swift's Regex is slow, and most lines match nothing.
        let glibcNames = try Regex(Self.glibcOnly.joined(separator: "|"))
        let darwinNames = try Regex(Self.darwinOnly.joined(separator: "|"))
        // ICU's engine (NSRegularExpression) for the one scan of every whole file: many times faster than Regex.
        let anyName = try NSRegularExpression(
            pattern: (Self.glibcOnly + Self.darwinOnly + [#"\bstd(out|err|in)\b"#, "/proc/"]).joined(separator: "|")
        )
        for file in swiftFiles() {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            let lines = text.components(separatedBy: "\n")
            let (chains, sides) = Self.read(lines)
            let declared = declaredNames(in: text)

            for chain in chains {
                let first = chain.branches[0]
                let hasLinux = chain.branches.contains { $0.side == .linux }
                let hasDarwin =
                    chain.branches.dropFirst().contains { $0.side == .darwin || $0.condition == "else" }
                    || first.side == .darwin
                if hasLinux && !hasDarwin && Self.linuxOnlyBlocks[file] == nil {
                    violations.append(
                        Violation(
                            file: file,
                            line: chain.line,
                            message:
                                "#if \(first.condition) has no Darwin twin: add `#elseif canImport(Darwin)` with what macOS needs"
                        )
                    )
                }
                let glibcImport = chain.branches.first { $0.side == .linux }?.lines.first {
                    $0.hasSuffix("import Glibc")
                }
                let darwinImport = chain.branches.first { $0.side == .darwin }?.lines.first {
                    $0.hasSuffix("import Darwin")
                }
                if let glibcImport, let darwinImport,
                    glibcImport.hasPrefix("@preconcurrency") != darwinImport.hasPrefix("@preconcurrency")
                {
                    violations.append(
                        Violation(
                            file: file,
                            line: chain.line,
                            message: "`\(glibcImport)` and `\(darwinImport)`: import both @preconcurrency or neither"
                        )
                    )
                }
                let differs = chain.branches.contains { branch in
                    branch.side != .both
                        && branch.lines.contains { !$0.isEmpty && !$0.hasPrefix("//") && !$0.contains("import ") }
                }
                if differs { platformFiles[module(of: file), default: []].append(file) }
            }

            // Only the lines where the whole file's one scan found a name are read closely.
            var candidates: Set<Int> = []
            let utf16 = Array(text.utf16)
            var lineNumber = 0
            var scanned = 0
            for found in anyName.matches(in: text, range: NSRange(location: 0, length: utf16.count)) {
                while scanned < found.range.location {
                    if utf16[scanned] == 10 { lineNumber += 1 }
                    scanned += 1
                }
                candidates.insert(lineNumber)
            }
            for index in candidates.sorted() {
                let line = lines[index]
                let code = Self.code(line)
                let side = sides[index]
                if side != .linux {
                    if let found = code.firstMatch(of: glibcNames) {
                        violations.append(
                            Violation(
                                file: file,
                                line: index + 1,
                                message:
                                    "\(code[found.range]) is Glibc's only: keep it in a Linux-only #if block, beside its Darwin twin"
                            )
                        )
                    }
                    if !line.trimmingCharacters(in: .whitespaces).hasPrefix("//"), line.contains("/proc/"),
                        Self.procReaders[file] == nil
                    {
                        violations.append(
                            Violation(
                                file: file,
                                line: index + 1,
                                message:
                                    "/proc exists on Linux only: use a portable call (getrusage, ps) or a Linux-only #if block with a Darwin twin"
                            )
                        )
                    }
                }
                if side != .darwin {
                    if let found = code.firstMatch(of: darwinNames) {
                        violations.append(
                            Violation(
                                file: file,
                                line: index + 1,
                                message: "\(code[found.range]) is Darwin's only: keep it in a Darwin-only #if block"
                            )
                        )
                    }
                }
                if file != "Sources/LabSupport/StandardStream.swift",
                    let stream = bareStream(in: code, declared: declared)
                {
                    violations.append(
                        Violation(
                            file: file,
                            line: index + 1,
                            message:
                                "C's `\(stream)` by name: use StandardStream (LabSupport), which compiles on Glibc and Darwin alike"
                        )
                    )
                }
            }
        }
        for (module, files) in platformFiles.sorted(by: { $0.key < $1.key }) where !module.hasPrefix("Tests/") {
            let distinct = Array(Set(files)).sorted()
            if distinct.count > 1 && Self.severalPlatformFiles[module] == nil {
                violations.append(
                    Violation(
                        file: distinct[1],
                        line: 1,
                        message:
                            "\(module) has platform differences in \(distinct.joined(separator: " and ")): keep them in one file (its Platform.swift)"
                    )
                )
            }
        }
        return violations
    }

    private func module(of file: String) -> String {
        file.split(separator: "/").prefix(2).joined(separator: "/")
    }

    /// `stdout`, `stderr` or `stdin` used as C's global, not as a member, a label, or a name this file declares.
    private func bareStream(in code: String, declared: Set<String>) -> String? {
        for match in code.matches(of: #/(?:^|[^.\w])(stdout|stderr|stdin)\b(?!\s*:)/#) {
            let name = String(match.output.1)
            if !declared.contains(name) { return name }
        }
        return nil
    }

    /// Names a file declares itself (`let stdout = …`, a parameter `stdout: Int32`), which are not C's.
    private func declaredNames(in text: String) -> Set<String> {
        var names: Set<String> = []
        for name in ["stdout", "stderr", "stdin"] {
            let declaration = try! Regex(#"(\b(let|var)\s+|,\s*)"# + name + #"\s*="#)
            let parameter = try! Regex(#"\b"# + name + #"\s*:\s*[A-Z]"#)
            if text.contains(declaration) || text.contains(parameter) { names.insert(name) }
        }
        return names
    }
}
