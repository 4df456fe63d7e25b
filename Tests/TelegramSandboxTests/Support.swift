import Foundation
import Testing

@testable import TelegramSandbox

/// A sandbox on a free loopback port, for one test.
func startedSandbox(
    _ configuration: SandboxConfiguration = SandboxConfiguration()
) async throws
    -> (TelegramSandbox, URL)
{
    let sandbox = try TelegramSandbox(configuration)
    let url = try await sandbox.start()
    return (sandbox, url)
}
