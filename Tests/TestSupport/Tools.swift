import Testing

/// A program some tests need that the kit does not build: a peer the kit did not write (python3, nc, socat), or a
/// terminal to drive labrepl in (tmux). `make test` installs them where it can (the Makefile's TEST_TOOLS), the
/// README lists them, and `.ci/packages` (which CI installs) lists the same Debian packages: ToolListTests checks that all agree.
public struct Tool: Sendable, CustomStringConvertible {
    /// The command, as looked up on PATH.
    public let command: String
    public let debianPackage: String
    public let brewPackage: String
    /// What the tests use it for, for the message when it is missing.
    public let purpose: String

    public var description: String { command }

    /// Every tool a test needs, with its package: the one list, which `make test` and `.ci/run` must agree with.
    public static let all: [Tool] = [
        Tool(
            command: "python3",
            debianPackage: "python3",
            brewPackage: "python",
            purpose: "Python's socket module, a peer the kit did not write"
        ),
        Tool(
            command: "nc",
            debianPackage: "netcat-openbsd",
            brewPackage: "netcat",
            purpose: "netcat, a peer the kit did not write"
        ),
        Tool(
            command: "socat",
            debianPackage: "socat",
            brewPackage: "socat",
            purpose: "socat, a peer the kit did not write"
        ),
        Tool(
            command: "tmux",
            debianPackage: "tmux",
            brewPackage: "tmux",
            purpose: "a terminal to type into labrepl and make watch, as a person would"
        ),
        Tool(
            command: "tshark",
            debianPackage: "tshark",
            brewPackage: "wireshark",
            purpose: "Wireshark's reader, to open the checker's packet captures as a student would"
        ),
    ]

    public static func named(_ command: String) -> Tool {
        all.first { $0.command == command }
            ?? Tool(command: command, debianPackage: command, brewPackage: command, purpose: "a program it runs")
    }

    public var isInstalled: Bool { commandExists(command) }

    /// What a person reads when it is missing: what it is for, and the command that installs it.
    public var missing: String {
        "\(command) is not installed, and this test needs it: \(purpose). Install it — Debian or Ubuntu: "
            + "`sudo apt-get install \(debianPackage)`; macOS: `brew install \(brewPackage)` — or run `make test`, "
            + "which installs the tools the tests need when it can."
    }
}

/// `.requires(tool: "nc")`: the test runs only with `nc` on PATH; without it the test fails with an issue that
/// names the package to install — never a silent skip, so that a green run always means every test ran.
public struct RequiresTool: TestTrait, SuiteTrait, TestScoping {
    public let tool: Tool

    /// On a suite: every test in it needs the tool.
    public var isRecursive: Bool { true }

    /// Checked once per test case (not once more for the suite around it).
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        guard tool.isInstalled else {
            Issue.record("\(tool.missing)", sourceLocation: test.sourceLocation)
            return
        }
        try await function()
    }
}

extension Trait where Self == RequiresTool {
    /// The test needs `command` (python3, nc, socat, tmux) on PATH: see `Tool.all`.
    public static func requires(tool command: String) -> Self {
        RequiresTool(tool: .named(command))
    }
}
