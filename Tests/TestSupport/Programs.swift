import Foundation
import ProcessKit
import Testing

/// Where `swift build` put the kit's programs: beside the test bundle.
public func productsDirectory() throws -> String {
    #if os(Linux)
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    return URL(fileURLWithPath: executable).deletingLastPathComponent().path
    #else
    // The test bundle (…/debug/NetworkLabKitPackageTests.xctest) is loaded into xctest or swiftpm-testing-helper,
    // so Bundle.main is the toolchain's: the bundle that holds this code is the one beside the programs.
    return Bundle(for: ProductsDirectoryMarker.self).bundleURL.deletingLastPathComponent().path
    #endif
}

/// A class of this bundle's own, for Bundle(for:) on macOS.
private final class ProductsDirectoryMarker {}

/// Starts one of the kit's servers with `--port 0` and returns it with the port it reports. Its time limit is the
/// whole test run's, not one test's: an async test that started it may wait over a minute to go on, while the
/// synchronous tests (which block their threads) hold every thread of the 2 cores' cooperative pool.
public func startServer(_ product: String, _ arguments: [String] = []) throws -> (ChildProcess, port: Int) {
    try ChildProcess.startServer(try productsDirectory() + "/" + product, arguments, timeLimit: .seconds(300))
}

/// Runs one of the kit's programs to its end.
public func runProgram(_ product: String, _ arguments: [String], input: String? = nil) throws -> ChildProcess.Finished {
    try ChildProcess.run(try productsDirectory() + "/" + product, arguments, input: input, timeout: .seconds(20))
}

/// Runs a peer the kit did not write (python3, nc, socat) and returns what it printed; it must succeed.
public func runPeer(_ command: String, _ arguments: [String], input: String? = nil) throws -> String {
    let finished = try ChildProcess.run(command, arguments, input: input, timeout: .seconds(20))
    try #require(
        finished.termination.succeeded,
        "\(command) ended with \(finished.termination); stderr: \(finished.standardError)"
    )
    return finished.standardOutput
}

/// Whether `name` is on PATH.
public func commandExists(_ name: String) -> Bool {
    (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
}

/// Starts the `telegram-sandbox` executable on a free port; returns it, the URL to use as TELEGRAM_API_URL and the
/// token it accepts.
public func startTelegramSandbox(_ arguments: [String] = []) throws -> (ChildProcess, url: URL, token: String) {
    let (sandbox, port) = try startServer("telegram-sandbox", arguments)
    let line = try #require(
        sandbox.waitForLine(timeout: .seconds(5)) { $0.hasPrefix("token: ") },
        "telegram-sandbox printed no token; stderr: \(sandbox.standardError)"
    )
    return (sandbox, URL(string: "http://127.0.0.1:\(port)")!, String(line.dropFirst("token: ".count)))
}

/// How many lines of `process`'s output contain `text`, once there are at least `count` (or `timeout` has passed):
/// what a server prints as its peer finishes may still be on its way through the pipe when the peer has ended.
public func lines(
    containing text: String,
    in process: ChildProcess,
    atLeast count: Int,
    timeout: Duration = .seconds(10)
)
    -> Int
{
    var found = 0
    _ = process.waitUntil(timeout: timeout) { output, _ in
        found = String(decoding: output, as: UTF8.self).split(separator: "\n").filter { $0.contains(text) }.count
        return found >= count
    }
    return found
}

/// Writes an executable file (a stand-in program) so that it can be started at once: by a shell, not by this
/// process. A file this process holds open for writing is inherited by every program another test starts
/// meanwhile, and starting the file then fails with "Text file busy" (ETXTBSY) for as long as that program runs.
public func writeExecutable(_ text: String, to path: String) throws {
    let written = try ChildProcess.run(
        "/bin/sh",
        ["-c", #"printf '%s' "$1" > "$2" && chmod 755 "$2""#, "sh", text, path],
        timeout: .seconds(10)
    )
    try #require(written.termination.succeeded, "could not write \(path): \(written.standardError)")
}
