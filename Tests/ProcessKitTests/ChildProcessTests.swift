import Foundation
import ProcessKit
import Testing

/// A child's own descriptor limit, and what the system says a child is doing: the facts the checks wait for.
@Suite struct ChildProcessTests {
    @Test func aChildGetsItsOwnSoftLimitAndMayRaiseIt() throws {
        let child = try ChildProcess(
            "/bin/sh",
            ["-c", "ulimit -Sn; ulimit -Hn; ulimit -Sn $(ulimit -Hn) && echo raised"],
            openFileLimit: .soft(64),
            timeLimit: .seconds(10)
        )
        let status = child.waitForExit(timeout: .seconds(10))
        let lines = child.standardOutput.split(separator: "\n")
        #expect(status == .exited(0), "\(child.standardError)")
        #expect(lines.first == "64")
        #expect(lines.count == 3 && lines[1] != "64" && lines[2] == "raised")
    }

    @Test func aFixedLimitCannotBeRaised() throws {
        let child = try ChildProcess(
            "/bin/sh",
            ["-c", "ulimit -Sn; ulimit -Hn; ulimit -Sn 64 2>/dev/null || echo refused"],
            openFileLimit: .fixed(32),
            timeLimit: .seconds(10)
        )
        _ = child.waitForExit(timeout: .seconds(10))
        #expect(child.standardOutput == "32\n32\nrefused\n")
    }

    @Test func aLimitAboveTheHardOneIsRefusedBeforeStarting() throws {
        let error = #expect(throws: SpawnError.self) {
            try ChildProcess("/bin/sh", ["-c", "true"], openFileLimit: .soft(Int(Int32.max)), timeLimit: .seconds(10))
        }
        #expect(error?.description.contains("ulimit -Hn") == true)
    }

    @Test func theLimitIsTheChildsOwnNotThisProcesss() throws {
        let before = ownOpenFileLimit()
        let child = try ChildProcess(
            "/bin/sh",
            ["-c", "ulimit -Sn"],
            openFileLimit: .soft(50),
            timeLimit: .seconds(10)
        )
        _ = child.waitForExit(timeout: .seconds(10))
        #expect(child.standardOutput == "50\n")
        #expect(ownOpenFileLimit() == before)
    }

    @Test func aChildBlockedReadingItsInputIsWaitingAndOneThatSpinsIsNot() throws {
        let reader = try ChildProcess(
            "/bin/sh",
            ["-c", "read line; echo \"got $line\"; read again"],
            timeLimit: .seconds(20)
        )
        defer { reader.stop() }
        let blocked = try #require(reader.waitUntilWaiting(timeout: .seconds(10)), "never seen waiting for its input")
        reader.write("hello\n")
        // It wakes, prints, and blocks in the second read: it has stopped running once more since.
        let again = try #require(reader.waitUntilWaiting(timeout: .seconds(10)) { $0.switches > blocked.switches })
        #expect(again.isWaiting)
        #expect(reader.waitForLine(timeout: .seconds(10)) { $0 == "got hello" } != nil)

        let spinner = try ChildProcess("/bin/sh", ["-c", "while :; do :; done"], timeLimit: .seconds(20))
        defer { spinner.stop() }
        #expect(spinner.waitUntilWaiting(timeout: .milliseconds(500)) == nil)
        // Its CPU time grows (however little of a busy machine it gets).
        let deadline = ContinuousClock.now + .seconds(10)
        while try #require(spinner.activity()).cpuTime < .milliseconds(20) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(try #require(spinner.activity()).cpuTime >= .milliseconds(20))
    }

    @Test func anEndedChildHasNoActivity() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "exit 0"], timeLimit: .seconds(10))
        _ = child.waitForExit(timeout: .seconds(10))
        #expect(child.activity() == nil)
        #expect(child.waitUntilWaiting(timeout: .seconds(1)) == nil)
    }
}

/// This process's soft and hard limits on open descriptors.
private func ownOpenFileLimit() -> [UInt64] {
    var limit = rlimit()
    #if canImport(Glibc)
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    #else
    getrlimit(RLIMIT_NOFILE, &limit)
    #endif
    return [UInt64(limit.rlim_cur), UInt64(limit.rlim_max)]
}
