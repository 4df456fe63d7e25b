import Foundation

/// A lab as the checker sees it: its programs and its numbered steps, each a small black-box check.
public struct Lab: Sendable {
    public let number: Int
    public let title: String
    /// The handout's folder under `Labs/`, e.g. "03-blocking-echo".
    public let folder: String
    /// The lab's programs without the "labN-" prefix: "echo-server" is the product `lab3-echo-server`.
    public let programs: [String]
    public private(set) var steps: [Step]
    /// The kit's own programs the checks run beside the lab's (`telegram-sandbox`), built with them.
    public let tools: [String]
    /// The lab's programs talk over sockets (all but lab 1): a program that hangs may be stuck in recv().
    public let usesSockets: Bool
    /// Mistakes this lab's programs are known to make, recognised in what they print.
    public let pitfalls: [Pitfall]

    public init(
        number: Int,
        title: String,
        folder: String,
        programs: [String],
        tools: [String] = [],
        usesSockets: Bool = true,
        pitfalls: [Pitfall] = [],
        steps: [Step]
    ) {
        self.number = number
        self.title = title
        self.folder = folder
        self.programs = programs
        self.tools = tools
        self.usesSockets = usesSockets
        self.pitfalls = pitfalls
        self.steps = steps
    }

    public var handout: String { "Labs/\(folder)/README.md" }

    /// The folders of the lab's code under `Sources/`: its programs' and its libraries' (`Lab3EchoServer`,
    /// `Lab5Protocol`): every folder named `Lab<number>` and a capital letter.
    public func sourceFolders(in root: String = "Sources") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { name in
            name.hasPrefix("Lab\(number)") && name.dropFirst("Lab\(number)".count).first?.isUppercase == true
        }.sorted().map { root + "/" + $0 }
    }

    /// The product name of one of the lab's programs: `lab3-echo-server`, or `lab3-echo-server-solution`.
    public func product(_ program: String, solution: Bool) -> String {
        "lab\(number)-\(program)" + (solution ? "-solution" : "")
    }

    public func step(_ number: Int) -> Step? { steps.first { $0.number == number } }

    /// The same lab without the steps after `last`: the per-step proof (`labdev mutants`) checks a mutant no further
    /// than the last step its body names.
    public func through(step last: Int) -> Lab {
        var shortened = self
        shortened.steps = steps.filter { $0.number <= last }
        return shortened
    }

    /// The lab with `steps` (held-back variants) in place of its own; each runs whatever the others did.
    public func heldBack(_ variants: [Step]) -> Lab {
        var held = self
        held.steps = variants.map { variant in
            Step(
                variant.number,
                variant.title,
                hint: variant.hint,
                moreHints: variant.moreHints,
                needs: [],
                points: variant.points,
                heldBack: true,
                check: variant.check
            )
        }
        return held
    }

    /// The most a lab's steps are worth together.
    public var maxScore: Int { steps.reduce(0) { $0 + $1.points } }
}

/// A known mistake, recognised by a line a program prints over and over (a loop that never ends): what that line
/// means, and the handout section that explains it.
public struct Pitfall: Sendable {
    /// Text the repeated line contains: `Received b''`.
    public let repeatedLine: String
    public let meaning: String

    public init(repeatedLine: String, meaning: String) {
        self.repeatedLine = repeatedLine
        self.meaning = meaning
    }
}

/// One step of a lab: what the student builds, the check that proves it, and where to look when it fails.
/// Reads like the handout: number, title, hint; the check's body follows.
public struct Step: Sendable {
    public let number: Int
    public let title: String
    /// One sentence on what to look at next when the check fails. The handout anchor is added after it.
    public let hint: String
    /// Further hints, each closer to the answer, revealed one at a time (`make hint`, `h` in `make watch`).
    public let moreHints: [String]
    /// Steps that must pass before this one can: by default the step before it.
    public let needs: [Int]
    /// What the step is worth when graded (`make grade`): 1 unless the lab says otherwise.
    public let points: Int
    /// A held-back variant of step `number`: the grader's, with values the handout never shows.
    public let heldBack: Bool
    public let check: @Sendable (Check) throws -> Void

    public init(
        _ number: Int,
        _ title: String,
        hint: String,
        moreHints: [String] = [],
        needs: [Int]? = nil,
        points: Int = 1,
        heldBack: Bool = false,
        check: @escaping @Sendable (Check) throws -> Void
    ) {
        self.heldBack = heldBack
        self.number = number
        self.title = title
        self.hint = hint
        self.moreHints = moreHints
        self.needs = needs ?? (number > 1 ? [number - 1] : [])
        self.points = points
        self.check = check
    }

    /// The handout's anchor for this step: `#step-2`.
    public var anchor: String { "step-\(number)" }

    /// Every hint layer: the first shows with a failure, the others on request.
    public var hints: [String] { [hint] + moreHints }
}

/// Every lab the checker knows, in order.
public let allLabs: [Lab] = [lab1, lab2, lab3, lab4, lab5, lab6]

extension Lab {
    /// Lab `number`, if there is one.
    public static func numbered(_ number: Int) -> Lab? { allLabs.first { $0.number == number } }
}
