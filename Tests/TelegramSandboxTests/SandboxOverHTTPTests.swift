import Foundation
import ProcessKit
import TestSupport
import Testing

@testable import TelegramSandbox

/// The sandbox checked over real HTTP by Python's urllib (sandbox_http_check.py), a client the
/// kit did not write. Each check gets its own sandbox on a free port.
@Suite("Sandbox over HTTP, checked by Python's urllib", .requires(tool: "python3"))
struct SandboxOverHTTPTests {
    static let checks = [
        "envelope_and_get_me", "wrong_token_is_401", "malformed_token_is_404", "unknown_method_is_404",
        "method_names_ignore_case", "parameters_from_query_string", "parameters_from_urlencoded_form",
        "parameters_from_json_with_charset", "parameters_from_multipart", "send_message_validation",
        "offset_confirms_earlier_updates", "negative_offset_keeps_the_last", "limit_is_clamped",
        "long_poll_answers_when_an_update_arrives", "long_poll_held_until_timeout",
        "second_poll_ends_the_held_one_with_409", "held_poll_is_reported", "webhook_blocks_get_updates",
        "commands_round_trip",
        "user_side_waits_for_the_bot", "requests_are_recorded_without_the_token", "faults_fail_the_next_calls",
        "bad_sandbox_input_gets_json_errors",
    ]

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "sandbox_http_check.py"
    )

    @Test("every check in the script is run here")
    func everyCheckIsListed() async throws {
        let result = try await ChildProcess.run(
            "python3",
            [Self.script.path, "-", "-", "--list"],
            timeout: .seconds(30)
        )
        #expect(result.termination == .exited(0), "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").map(String.init) == Self.checks)
    }

    @Test("check", arguments: checks)
    func check(_ name: String) async throws {
        let (sandbox, url) = try await startedSandbox()
        do {
            let result = try await ChildProcess.run(
                "python3",
                [Self.script.path, url.absoluteString, sandbox.token, name],
                timeout: .seconds(90)
            )
            #expect(result.termination == .exited(0), "\(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.contains("\(name): ok"), "\(result.standardOutput)")
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}
