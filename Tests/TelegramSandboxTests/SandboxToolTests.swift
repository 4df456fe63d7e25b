import Foundation
import ProcessKit
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `telegram-sandbox` executable, as a user starts it.
@Suite("telegram-sandbox executable")
struct SandboxToolTests {
    /// (Its runs get the whole test run as their time limit: see `startServer` in TestSupport.)
    func executable() throws -> String {
        try productsDirectory() + "/telegram-sandbox"
    }

    @Test(
        "prints where it listens and its token at once, serves getMe, and stops on SIGTERM",
        arguments: [SIGTERM, SIGINT]
    )
    func startsAndStops(_ signal: Int32) async throws {
        let child = try ChildProcess(
            try executable(),
            ["--port", "0", "--bot-username", "lab_test_bot"],
            timeLimit: .seconds(300)
        )
        defer { child.stop() }
        let line = try #require(await child.waitForLine(timeout: .seconds(20)) { $0.hasPrefix("listening on ") })
        let address = String(line.dropFirst("listening on ".count))
        #expect(address.hasPrefix("127.0.0.1:"))
        let port = try #require(Int(address.split(separator: ":").last ?? ""))
        #expect(port > 0)
        let tokenLine = try #require(await child.waitForLine(timeout: .seconds(5)) { $0.hasPrefix("token: ") })
        let token = String(tokenLine.dropFirst("token: ".count))
        #expect(token.contains(":"))
        #expect(child.standardOutput.contains("curl http://127.0.0.1:\(port)/bot\(token)/getMe"))

        let (data, response) = try await URLSession.shared.data(
            from: URL(string: "http://127.0.0.1:\(port)/bot\(token)/getMe")!
        )
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).contains(#""username":"lab_test_bot""#))

        child.signal(signal)
        let status = await child.waitForExit(timeout: .seconds(10))
        #expect(status == .exited(0), "\(child.standardError)")
        #expect(child.standardOutput.contains("stopped (\(signal == SIGINT ? "SIGINT" : "SIGTERM"))"))
    }

    @Test("uses the token it is given")
    func givenToken() async throws {
        let child = try ChildProcess(
            try executable(),
            ["--port", "0", "--token", "42:secret-Token_x"],
            timeLimit: .seconds(300)
        )
        defer { child.stop() }
        let line = await child.waitForLine(timeout: .seconds(20)) { $0.hasPrefix("token: ") }
        #expect(line == "token: 42:secret-Token_x")
    }

    @Test("refuses a bad token or host with a clear message and a non-zero status")
    func badArguments() async throws {
        let badToken = try await ChildProcess.run(
            try executable(),
            ["--port", "0", "--token", "oops"],
            timeout: .seconds(20)
        )
        #expect(badToken.termination != .exited(0))
        #expect(badToken.standardError.contains("digits, a colon and a secret"))
        let badHost = try await ChildProcess.run(
            try executable(),
            ["--port", "0", "--host", "nowhere"],
            timeout: .seconds(20)
        )
        #expect(badHost.termination != .exited(0))
        #expect(badHost.standardError.contains("cannot listen on \"nowhere\""))
    }
}
