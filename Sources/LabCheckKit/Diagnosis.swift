import Foundation
import ProcessKit
import SocketKit

/// Turns what went wrong in a step into what the student reads: the real cause first (starter code of this step, a
/// crash, the machine), the check's own message otherwise, and then what the programs did that explains it.
struct Diagnosis {
    let lab: Lab
    let step: Step
    let error: any Error
    let programs: [Program]
    /// The step ran over its time limit and its programs were stopped.
    let ranOverTime: Bool

    static let crashHint =
        "a crash is a bug at the line shown: an index out of range, a `!` on a nil value, an integer overflow, or a failed precondition — run the replay below and read the line"
    static let machineHint =
        "this is about the machine, not your code: run `make doctor`, which says what is missing and how to fix it"

    func failure() -> StepFailure {
        waitForLastWords()
        let notes = notImplementedNotes()
        let relevant = lab.stepsNeeded(by: step.number)
        if let own = notes.first(where: { $0.step.map(relevant.contains) ?? false }) {
            return StepFailure(.notImplemented, own.text)
        }
        let stoppedAt = notes.first?.text
        if let (program, crash) = programs.lazy.compactMap({ program in Crash(program).map { (program, $0) } }).first {
            let seen = "the checker saw: " + checkMessage
            return StepFailure(
                .crash,
                "\(program.name) crashed: \(crash.description)\n" + seen,
                stoppedAt: stoppedAt,
                hint: Self.crashHint
            )
        }
        var message = checkMessage
        for program in programs {
            if let why = program.whyItStopped { message += "\n" + why }
            if let loop = repeatedLine(of: program) { message += "\n" + loop }
            if program.isWaitingForEnter && !program.arguments.contains("--pause") {
                message +=
                    "\n\(program.name) is waiting for Enter (\"Press enter to proceed\"): pause only when given --pause"
            }
        }
        if ranOverTime {
            return StepFailure(
                .timeLimit,
                "the step did not finish within its time limit, so its programs were stopped; before that: " + message,
                stoppedAt: stoppedAt
            )
        }
        if isMachineProblem {
            return StepFailure(.machine, message, stoppedAt: stoppedAt, hint: Self.machineHint)
        }
        return StepFailure(.check, message, stoppedAt: stoppedAt)
    }

    // MARK: The check's own message

    private var checkMessage: String {
        switch error {
        case let failure as CheckFailure: failure.message
        case let failure as SocketError: "the checker's own \(failure.call) failed: \(failure.description)"
        case let failure as SpawnError: failure.description
        default: "\(error)"
        }
    }

    /// Errors no change to the student's code would fix.
    private var isMachineProblem: Bool {
        switch error {
        case let failure as CheckFailure: failure.isMachineProblem
        case let failure as SocketError:
            failure.isOutOfDescriptors || failure.errno == EADDRNOTAVAIL || failure.errno == ENOBUFS
        case let failure as SpawnError: failure.errno != ENOENT  // a program not built says so itself
        default: false
        }
    }

    // MARK: What the programs said

    /// A program that is dying (its peer saw the connection close, or it is printing a backtrace) gets a moment to
    /// finish saying why; then the rest of each ended program's output is read.
    private func waitForLastWords() {
        let deadline = ContinuousClock.now + .milliseconds(300)
        let crashDeadline = ContinuousClock.now + .seconds(3)
        while programs.contains(where: { $0.termination == nil }) {
            let now = ContinuousClock.now
            let printingBacktrace = programs.contains {
                $0.termination == nil && Crash.isUnderWay(in: $0.process.standardError)
            }
            if now >= crashDeadline || (now >= deadline && !printingBacktrace) { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        for program in programs where program.termination != nil {
            _ = program.process.waitUntil(timeout: .milliseconds(300)) { _, _ in false }
        }
    }

    struct Note {
        let text: String
        /// The step it names: "not implemented: step 3 — …".
        let step: Int?
    }

    /// Every "not implemented: …" line the programs printed, in the order of the programs.
    private func notImplementedNotes() -> [Note] {
        programs.flatMap { program in
            program.process.standardError.split(separator: "\n").compactMap { line -> Note? in
                guard let start = line.range(of: "not implemented: ") else { return nil }
                let text = String(line[start.lowerBound...])
                let rest = text.dropFirst("not implemented: ".count)
                let number = rest.hasPrefix("step ") ? Int(rest.dropFirst(5).prefix { $0.isNumber }) : nil
                return Note(text: text, step: number)
            }
        }
    }

    /// "lab3-echo-server printed "Received b''" 312 times in a row", and what that means where the lab knows.
    private func repeatedLine(of program: Program, atLeast threshold: Int = 20) -> String? {
        var best: (line: Substring, count: Int) = ("", 0)
        var current: (line: Substring, count: Int) = ("", 0)
        for line in program.output.split(separator: "\n") {
            current = line == current.line ? (line, current.count + 1) : (line, 1)
            if current.count > best.count { best = current }
        }
        guard best.count >= threshold else { return nil }
        let meaning =
            lab.pitfalls.first { best.line.contains($0.repeatedLine) }.map { ": " + $0.meaning }
            ?? ": a loop that goes round without waiting for anything new"
        return "\(program.name) printed \(quoted(String(best.line))) \(best.count) times in a row" + meaning
    }
}

/// A Swift crash as the runtime's backtracer reports it on standard error: the `Fatal error` line and the first
/// frame in the student's own code (`Sources/Lab3EchoServer/EchoServer.swift:55:40`).
struct Crash: CustomStringConvertible {
    let reason: String
    let frame: String?

    init?(_ program: Program) {
        guard let ended = program.termination, ended.isCrash else { return nil }
        let lines = program.process.standardError.split(separator: "\n").map(String.init)
        reason =
            lines.first { $0.contains("Fatal error: ") }.map {
                String($0[$0.range(of: "Fatal error: ")!.lowerBound...])
            }
            ?? lines.first { $0.contains("Program crashed: ") }.map {
                String($0[$0.range(of: "Program crashed: ")!.upperBound...]).replacingOccurrences(of: " ***", with: "")
            }
            ?? "\(ended)"
        frame = Self.firstOwnFrame(in: lines)
    }

    var description: String { reason + (frame.map { "\n  at \($0)" } ?? "") }

    /// A backtrace has begun but the program has not ended yet.
    static func isUnderWay(in stderr: String) -> Bool {
        stderr.contains("Fatal error: ") || stderr.contains("Program crashed: ") || stderr.contains("Backtracing from")
    }

    /// The first frame whose source is a lab program (`/Sources/Lab…` or `/Solutions/Lab…`), else the first in the
    /// kit's own libraries: "Sources/Lab3EchoServer/EchoServer.swift:55:40, in EchoServer.echo(_:)".
    static func firstOwnFrame(in lines: [String]) -> String? {
        let frames = lines.compactMap { line -> (symbol: String, path: String)? in
            // `  3 [ra] 0x0000564642c3b015 f(_:) + 52 in c at /tmp/crashdemo/c.swift:2:28`
            guard let at = line.range(of: " at /", options: .backwards), let address = line.range(of: " 0x") else {
                return nil
            }
            let path = String(line[line.index(after: at.lowerBound)...].dropFirst(3))
            let afterAddress = line[address.upperBound...].drop { $0 != " " }.dropFirst()
            let symbol = afterAddress.range(of: " + ").map { String(afterAddress[..<$0.lowerBound]) } ?? ""
            return (symbol, path)
        }
        let kit = frames.filter { !$0.path.contains("/.build/") }  // not a package the kit depends on
        let own =
            kit.first { $0.path.contains("/Sources/Lab") || $0.path.contains("/Solutions/Lab") }
            ?? kit.first { $0.path.contains("/Sources/") }
        return own.map { shortSourcePath($0.path) + ($0.symbol.isEmpty ? "" : ", in \($0.symbol)") }
    }
}

/// `Sources/Lab3EchoServer/EchoServer.swift:55:40` rather than the whole path of the checkout.
public func shortSourcePath(_ path: String) -> String {
    for root in ["/Sources/", "/Solutions/"] {
        if let range = path.range(of: root, options: .backwards) {
            return String(root.dropFirst()) + path[range.upperBound...]
        }
    }
    return path
}

extension Lab {
    /// `number` and every step it needs, directly or through others.
    func stepsNeeded(by number: Int) -> Set<Int> {
        var found: Set<Int> = [number]
        var queue = [number]
        while let next = queue.popLast() {
            for need in step(next)?.needs ?? [] where !found.contains(need) {
                found.insert(need)
                queue.append(need)
            }
        }
        return found
    }
}
