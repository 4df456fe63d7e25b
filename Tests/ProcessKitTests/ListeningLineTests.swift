import Foundation
import ProcessKit
import Testing

/// The one convention every kit server follows: `--port 0`, then `listening on HOST:PORT`.
@Suite struct ListeningLineTests {
    @Test func thePortOfTheLine() {
        #expect(ListeningLine.port(in: "listening on 127.0.0.1:54321") == 54321)
        #expect(ListeningLine.port(in: "listening on [::1]:8081 ") == 8081)
        #expect(ListeningLine.address(in: "listening on 127.0.0.1:54321") == "127.0.0.1:54321")
        #expect(ListeningLine.port(in: "listening on 127.0.0.1:0") == nil)  // the port asked for, not the one got
        #expect(ListeningLine.port(in: "listening on 127.0.0.1") == nil)
        #expect(ListeningLine.port(in: "I am listening on 127.0.0.1:5") == nil)
    }

    /// A stand-in server: a shell script, started as a kit server is (`--port 0` first), that prints what it is
    /// told to. It must be given exactly `--port 0`.
    func start(_ script: String) throws -> (ChildProcess, port: Int) {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("server-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sh").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        // Written by a shell, not by this process: a program that other tests start meanwhile would inherit the
        // descriptor being written, and the script would then not start ("Text file busy").
        let text = "#!/bin/sh\n[ \"$*\" = \"--port 0\" ] || { echo \"started with $*\" >&2; exit 64; }\n\(script)\n"
        let written = try ChildProcess.run(
            "/bin/sh",
            ["-c", #"printf '%s' "$1" > "$2" && chmod +x "$2""#, "sh", text, file],
            timeout: .seconds(10)
        )
        try #require(written.termination.succeeded, "\(written.standardError)")
        return try ChildProcess.startServer(file, timeLimit: .seconds(20), startTimeout: .seconds(2))
    }

    @Test func aServerThatSaysWhereItListens() throws {
        let (server, port) = try start(#"echo "starting"; echo "listening on 127.0.0.1:4242"; sleep 10"#)
        #expect(port == 4242)
        #expect(server.termination == nil)
        server.stop()
    }

    @Test func aServerThatEndsFirstIsStoppedAndNamed() throws {
        let error = #expect(throws: ServerDidNotStart.self) { try start("echo 'address in use' >&2; exit 3") }
        guard case .ended(let ended, let errors)? = error?.reason else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(ended == .exited(3))
        #expect(errors.contains("address in use"))
    }

    @Test func aSilentServerIsStoppedAndNamed() throws {
        let error = #expect(throws: ServerDidNotStart.self) { try start("sleep 10") }
        guard case .silent? = error?.reason else {
            Issue.record("\(String(describing: error))")
            return
        }
    }

    @Test func aLineWithoutAPortIsNamed() throws {
        let error = #expect(throws: ServerDidNotStart.self) { try start("echo 'listening on somewhere'; sleep 10") }
        guard case .noPort(let line)? = error?.reason else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(line == "listening on somewhere")
    }
}
