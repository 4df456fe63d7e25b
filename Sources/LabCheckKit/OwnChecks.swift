import Foundation
import LabSupport
import ProcessKit

/// A check the student wrote: a labrepl script under the lab's folder, `Labs/03-blocking-echo/my-checks/NAME.repl`,
/// most often saved from the REPL (`record`, then `save NAME`). `make check LAB=n` runs them after the lab's steps
/// and reports them apart: not scored, and not in the progress file.
///
/// Its header says what it talks to, in the words of the commands that start it by hand:
///
///     # needs: make run LAB=3 PROG=echo-server ARGS="--pause"    started before the script: a server gets --port 0,
///                                                                and the script's port 65432 becomes the one it got
///     # then: make run LAB=3 PROG=echo-client ARGS="hi"          started once the script listens, with --port PORT
///     # needs: make sandbox                                      a telegram-sandbox; a bot needed after it runs
///                                                                against it, and the script's 8081 becomes its port
///
/// The script itself runs in `labrepl --script`, with `--map-port` saying which ports stand for which; it passes
/// when labrepl ends with status 0 (every command worked, every `expect` saw what it waits for).
public struct OwnCheck: Sendable {
    /// What a check starts.
    enum Need: Sendable, Equatable {
        case sandbox
        case program(String, arguments: [String])
    }

    /// The folder under the lab's handout folder where a lab's own checks live.
    public static let folderName = "my-checks"

    public let name: String
    public let path: String
    /// Started before the script, in order.
    let before: [Need]
    /// Started once the script listens (clients).
    let after: [Need]
    /// The header's `needs` and `then` lines, as the student runs them by hand.
    let byHand: [(command: String, after: Bool)]
    /// Why the check cannot run as it stands (a header make check cannot read): it fails saying so.
    let problem: String?

    /// `Labs/03-blocking-echo/my-checks`.
    public static func folder(of lab: Lab, root: String = ".") -> String {
        (root == "." ? "" : root + "/") + "Labs/\(lab.folder)/\(folderName)"
    }

    /// The lab's own checks, in name order.
    public static func all(of lab: Lab, root: String = ".") -> [OwnCheck] {
        let folder = folder(of: lab, root: root)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".repl") }.sorted().map { file in
            let path = folder + "/" + file
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return OwnCheck(name: String(file.dropLast(5)), path: path, text: text, lab: lab)
        }
    }

    init(name: String, path: String, text: String, lab: Lab) {
        self.name = name
        self.path = path
        var before: [Need] = []
        var after: [Need] = []
        var byHand: [(String, Bool)] = []
        var problems: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let comment = line.trimmingCharacters(in: .whitespaces)
            let key = ["# needs:", "# then:"].first { comment.hasPrefix($0) }
            guard let key else { continue }
            let command = comment.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
            let isAfter = key == "# then:"
            byHand.append((command, isAfter))
            switch Self.need(command, lab: lab) {
            case .success(let need): if isAfter { after.append(need) } else { before.append(need) }
            case .failure(let problem): problems.append("its line \(quoted(String(comment))) \(problem.message)")
            }
        }
        if before.isEmpty && after.isEmpty && problems.isEmpty {
            problems.append(
                "it has no \"# needs:\" line, so make check does not know which program to start — save it again from labrepl, or add a line such as \"# needs: make run LAB=\(lab.number) PROG=\(lab.programs.first ?? "NAME")\""
            )
        }
        if before.contains(where: { if case .program = $0 { true } else { false } }) && !after.isEmpty {
            problems.append(
                "it starts a program both before (needs) and after (then) the script: a check of your own tries one program"
            )
        }
        self.before = before
        self.after = after
        self.byHand = byHand
        problem = problems.isEmpty ? nil : "\(path) cannot run: " + problems.joined(separator: "; ")
    }

    /// `make sandbox` or `make run LAB=3 PROG=echo-server ARGS="…"`, read as make and the shell read them.
    private static func need(_ command: String, lab: Lab) -> Result<Need, CheckFailure> {
        guard let words = shellWords(command), words.count >= 2, words[0] == "make" else {
            return .failure(CheckFailure("is not a make command"))
        }
        if words[1] == "sandbox" { return .success(.sandbox) }
        guard words[1] == "run" else { return .failure(CheckFailure("should be make run … or make sandbox")) }
        var variables: [String: String] = [:]
        for word in words.dropFirst(2) {
            guard let equals = word.firstIndex(of: "=") else { continue }
            variables[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        guard variables["LAB"] == String(lab.number) else {
            return .failure(
                CheckFailure("names LAB=\(variables["LAB"] ?? "nothing"), but it is under lab \(lab.number)'s folder")
            )
        }
        guard let program = variables["PROG"], lab.programs.contains(program) else {
            let list = lab.programs.map { "PROG=\($0)" }.joined(separator: " or ")
            return .failure(
                CheckFailure(
                    "names \(variables["PROG"].map { "PROG=\($0)" } ?? "no PROG"): lab \(lab.number)'s programs are \(list)"
                )
            )
        }
        // make turns $$ into $ when it runs the command.
        guard let arguments = shellWords((variables["ARGS"] ?? "").replacingOccurrences(of: "$$", with: "$")) else {
            return .failure(CheckFailure("has ARGS a shell cannot read (a quote left open?)"))
        }
        return .success(.program(program, arguments: arguments))
    }
}

/// Running a lab's own checks: each is a step of a lab of its own, run by the usual runner, so that a crash, a
/// "not implemented" or a program that stopped is explained as in the lab's steps.
public enum OwnChecks {
    /// How long labrepl may take over one check's script.
    static let scriptTimeLimit: Duration = .seconds(25)

    /// Runs `checks` against the lab's programs in `binDirectory` (labrepl and telegram-sandbox too), one after the
    /// other; `report` is called as each ends.
    public static func run(
        _ checks: [OwnCheck],
        of lab: Lab,
        binDirectory: String,
        solution: Bool,
        transcript: Transcript,
        report: (StepResult) -> Void = { _ in }
    ) -> [StepResult] {
        let steps = checks.enumerated().map { index, check in
            Step(index + 1, check.name, hint: "", needs: []) { try run(check, solution: solution, in: $0) }
        }
        let own = Lab(
            number: lab.number,
            title: "your own checks",
            folder: lab.folder,
            programs: lab.programs,
            tools: lab.tools,
            usesSockets: lab.usesSockets,
            pitfalls: lab.pitfalls,
            steps: steps
        )
        transcript.log("── your own checks: \(OwnCheck.folder(of: lab))")
        let runner = LabRunner(lab: own, binDirectory: binDirectory, solution: solution)
        return runner.run(transcript: transcript) { report(withOwnHint($0)) }.map(withOwnHint)
    }

    /// A failed check of the student's own has no handout step to point to: its hint says how to look closer.
    private static func withOwnHint(_ result: StepResult) -> StepResult {
        guard case .failed(var failure) = result.outcome, failure.hint == nil else { return result }
        failure.hint =
            "your own check: run it by hand (below) to watch the conversation; if your program now answers otherwise on purpose, record it again"
        return StepResult(
            lab: result.lab,
            step: result.step,
            outcome: .failed(failure),
            duration: result.duration,
            transcript: result.transcript,
            seed: result.seed
        )
    }

    private static func run(_ own: OwnCheck, solution: Bool, in check: Check) throws {
        if let problem = own.problem { throw CheckFailure(problem) }
        // By hand: what the script needs, each in a terminal of its own, then the script, then what waits for it.
        let commands = own.byHand.map { command, after in
            (solution && command.hasPrefix("make run ") ? command + " SOLUTION=1" : command, after)
        }
        let script = "make repl ARGS=\"--script \(own.path)\""
        check.replay(
            commands.filter { !$0.1 }.map { $0.0 + "    # in a terminal of its own" }
                + [script + (commands.contains { $0.1 } ? "    # in one terminal" : "    # in another")]
                + commands.filter(\.1).map { $0.0 + "    # once it listens, in another" }
        )
        var mapping: [String] = []
        var environment: [String: String] = [:]
        for need in own.before {
            switch need {
            case .sandbox:
                let sandbox = try check.startSandbox()
                environment = sandbox.environment
                mapping.append("8081=\(URL(string: sandbox.url)?.port ?? 0)")
            case .program(let name, let arguments) where environment.isEmpty:
                let (_, port) = try check.startServer(name, arguments)
                mapping.append("\(lecturePort)=\(port)")
            case .program(let name, let arguments):
                _ = try check.start(name, arguments, environment: environment, keepsRunning: true)
            }
        }
        if !own.after.isEmpty { mapping.append("\(lecturePort)=0") }

        let labrepl = check.binDirectory + "/labrepl"
        guard FileManager.default.isExecutableFile(atPath: labrepl) else {
            throw CheckFailure(
                "labrepl is not built (looked in \(check.binDirectory)): make check LAB=\(check.lab.number) builds it",
                machine: true
            )
        }
        let arguments = ["--script", own.path] + mapping.flatMap { ["--map-port", $0] }
        check.note("labrepl \(arguments.joined(separator: " "))")
        let repl = try ChildProcess(labrepl, arguments, timeLimit: scriptTimeLimit + .seconds(5))
        defer {
            _ = repl.stop()
            check.note("labrepl said:\n" + indented(repl.standardOutput + repl.standardError))
        }
        if !own.after.isEmpty {
            guard let line = repl.waitForLine(timeout: .seconds(10), where: { $0.contains(": listening on ") }),
                let port = line.firstMatch(of: /listening on [^ ]*:(\d+)/).flatMap({ Int($0.1) })
            else {
                throw failure(
                    of: own,
                    repl,
                    otherwise: "the script never listened, so the program it waits for was not started"
                )
            }
            for case .program(let name, let arguments) in own.after {
                _ = try check.start(name, ["--port", String(port)] + arguments)
            }
        }
        guard let ended = repl.waitForExit(timeout: scriptTimeLimit) else {
            throw failure(
                of: own,
                repl,
                otherwise: "the script did not finish within \(Check.describe(scriptTimeLimit))"
            )
        }
        guard ended.succeeded else {
            throw failure(of: own, repl, otherwise: "labrepl ended with \(ended)")
        }
    }

    /// What went wrong, in labrepl's words: the script's line that failed, why, and what came before.
    private static func failure(of own: OwnCheck, _ repl: ChildProcess, otherwise: String) -> CheckFailure {
        let errors = repl.standardError.split(separator: "\n").map(String.init)
        let lines =
            (try? String(contentsOfFile: own.path, encoding: .utf8))?.split(
                separator: "\n",
                omittingEmptySubsequences: false
            ) ?? []
        var message: [String] = []
        if let first = errors.first {
            // "Labs/…/echo.repl:7: expect "hello": not seen from echo within 5 s (nothing unread)"
            if let match = first.firstMatch(of: /^(.*?):(\d+): (.*)$/), let number = Int(match.2), number <= lines.count
            {
                message.append(
                    "line \(number) of \(own.path), \(quoted(String(lines[number - 1]))), failed: \(match.3)"
                )
            } else {
                message.append(first)
            }
            message += errors.dropFirst().prefix(3).map { "and " + $0 }
        } else {
            message.append(otherwise)
        }
        let conversation = repl.standardOutput.split(separator: "\n").suffix(8)
        if !conversation.isEmpty {
            message.append("labrepl's output, last lines:\n" + indented(conversation.joined(separator: "\n")))
        }
        return CheckFailure(message.joined(separator: "\n"))
    }
}

/// A command line split into words as a POSIX shell splits it: single quotes keep everything, double quotes keep
/// all but `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside quotes keeps the next character. Nil for an
/// open quote.
func shellWords(_ text: String) -> [String]? {
    var words: [String] = []
    var word = ""
    var inWord = false
    var characters = text.makeIterator()
    while let character = characters.next() {
        switch character {
        case " ", "\t":
            if inWord { words.append(word) }
            word = ""
            inWord = false
        case "'":
            inWord = true
            while true {
                guard let next = characters.next() else { return nil }
                if next == "'" { break }
                word.append(next)
            }
        case "\"":
            inWord = true
            while true {
                guard let next = characters.next() else { return nil }
                if next == "\"" { break }
                if next == "\\" {
                    guard let escaped = characters.next() else { return nil }
                    if !"\"\\$`".contains(escaped) { word.append("\\") }
                    word.append(escaped)
                } else {
                    word.append(next)
                }
            }
        case "\\":
            inWord = true
            if let escaped = characters.next() { word.append(escaped) }
        default:
            inWord = true
            word.append(character)
        }
    }
    if inWord { words.append(word) }
    return words
}
