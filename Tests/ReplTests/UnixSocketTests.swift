import Foundation
import ProcessKit
import TestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// `connect unix:PATH` and `listen unix:PATH`, against peers the kit did not write: Python's `socket.AF_UNIX` and
/// socat. A listener's file goes when it closes, Ctrl-C included; a stale one goes before bind.
@Suite struct UnixSocketTests {
    /// A new folder for socket files: a short path (a Unix socket's path has room for about 100 bytes).
    func socketFolder() throws -> String {
        let folder = "/tmp/lr-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        return folder
    }

    func startRepl(_ arguments: [String] = []) throws -> ChildProcess {
        try ChildProcess(try productsDirectory() + "/labrepl", arguments, timeLimit: .seconds(60))
    }

    @Test(.requires(tool: "python3")) func listensForAPythonClientAndRemovesItsFile() throws {
        let folder = try socketFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/echo.sock"
        let repl = try startRepl()
        defer { repl.stop() }
        repl.write(
            """
            listen unix:\(path) as u
            accept timeout 10
            expect ping
            send pong
            quit

            """
        )
        let listening = repl.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("u: listening on unix:") }
        try #require(listening != nil, "\(repl.standardError)")
        let answer = try runPeer(
            "python3",
            [
                "-c",
                """
                import socket
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect('\(path)')
                s.sendall(b'ping')
                print(s.recv(10))
                """,
            ]
        )
        #expect(answer == "b'pong'\n")
        #expect(repl.waitForExit(timeout: .seconds(10)) == .exited(0), "\(repl.standardError)")
        #expect(repl.standardOutput.contains("u.1: accepted from a client of unix:\(path) (now the current peer)\n"))
        #expect(!FileManager.default.fileExists(atPath: path), "the listener's file outlived it")
    }

    @Test(.requires(tool: "socat")) func connectsToASocatServer() throws {
        let folder = try socketFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/cat.sock"
        let socat = try ChildProcess("socat", ["UNIX-LISTEN:\(path)", "EXEC:cat"], timeLimit: .seconds(60))
        defer { socat.stop() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: path) {
            try #require(ContinuousClock.now < deadline, "socat did not listen: \(socat.standardError)")
            Thread.sleep(forTimeInterval: 0.02)
        }
        let finished = try runProgram(
            "labrepl",
            ["--script", "/dev/stdin"],
            input: """
                connect unix:\(path) as cat
                sendline through a file
                expect through a file
                shutdown write
                recv timeout 5

                """
        )
        #expect(finished.termination == .exited(0), "\(finished.standardError)")
        #expect(
            finished.standardOutput.hasPrefix(
                "cat: connected to unix:\(path)\ncat → b'through a file\\n'\ncat ← b'through a file\\n'\n"
            )
        )
    }

    @Test(.requires(tool: "python3")) func aStaleFileGoesBeforeBindAndAnythingElseStays() throws {
        let folder = try socketFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A server that bound and then vanished without removing its file.
        let stale = folder + "/stale.sock"
        _ = try runPeer("python3", ["-c", "import socket; socket.socket(socket.AF_UNIX).bind('\(stale)')"])
        let regular = folder + "/notes.txt"
        try "keep me".write(toFile: regular, atomically: true, encoding: .utf8)
        let finished = try runProgram(
            "labrepl",
            ["--script", "/dev/stdin"],
            input: """
                connect unix:\(stale)
                listen unix:\(stale) as first
                listen unix:\(stale) as second
                listen unix:\(regular)
                connect unix:\(folder)/none.sock

                """
        )
        #expect(finished.termination == .exited(1))
        #expect(
            finished.standardOutput.hasPrefix(
                "first: listening on unix:\(stale) (removed a stale socket file first) (connections will be"
            )
        )
        #expect(
            finished.standardError == """
                /dev/stdin:1: connect unix:\(stale): the file is there but nothing listens on it — a stale file left by a server that stopped? Start the server again
                /dev/stdin:3: listen unix:\(stale): a server is listening there already — stop it, or choose another path
                /dev/stdin:4: listen unix:\(regular): that file exists and is not a socket — labrepl leaves it alone; choose another path
                /dev/stdin:5: connect unix:\(folder)/none.sock: there is no such file — is the server running? It creates the file when it listens (a relative path starts in the folder labrepl was started in)

                """
        )
        #expect(try String(contentsOfFile: regular, encoding: .utf8) == "keep me")
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func ctrlCInAScriptRemovesTheListenersFile() throws {
        let folder = try socketFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/waiting.sock"
        let repl = try startRepl()
        defer { repl.stop() }
        repl.write("listen unix:\(path)\naccept timeout 30\n")
        let listening = repl.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("l: listening on unix:") }
        try #require(listening != nil, "\(repl.standardError)")
        #expect(FileManager.default.fileExists(atPath: path))
        _ = repl.waitUntil(timeout: .milliseconds(300)) { _, _ in false }  // accept is waiting
        repl.signal(SIGINT)
        #expect(repl.waitForExit(timeout: .seconds(10)) == .exited(130))
        #expect(!FileManager.default.fileExists(atPath: path), "Ctrl-C left the socket file behind")
    }
}
