import Foundation
import ProcessKit
import TestSupport
import Testing

/// labrepl as a program in scripted mode: commands on standard input or in a file, plain output, an exit status.
@Suite struct ScriptedTests {
    /// Starts labrepl with standard input on a pipe, and HOME in a new folder (its history stays out of yours).
    func startRepl(_ arguments: [String] = []) throws -> (ChildProcess, home: String) {
        let home = try makeTemporaryDirectory()
        let repl = try ChildProcess(
            try productsDirectory() + "/labrepl",
            arguments,
            environment: ["HOME": home],
            timeLimit: .seconds(60)
        )
        return (repl, home)
    }

    @Test(.requires(tool: "python3")) func listensAndTalksWithAPythonClient() throws {
        let (repl, home) = try startRepl()
        defer {
            repl.stop()
            try? FileManager.default.removeItem(atPath: home)
        }
        repl.write(
            """
            listen 0 as srv
            set mode lines
            expect hello from python timeout 10
            sendline hi, python
            expect bye
            recv timeout 5
            close srv.1
            quit

            """
        )
        let listening = try #require(
            repl.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("srv: listening on ") },
            "labrepl did not listen; stderr: \(repl.standardError)"
        )
        let port = try listeningPort(in: listening)
        let python = try runPeer(
            "python3",
            [
                "-c",
                """
                import socket
                s = socket.create_connection(('127.0.0.1', \(port)))
                print(s.getsockname()[1])
                s.sendall(b'hello from python\\n')
                print(s.makefile('rb').readline())
                s.sendall(b'bye\\n')
                s.close()
                """,
            ]
        )
        let lines = python.split(separator: "\n")
        #expect(lines.last == "b'hi, python\\n'")
        let clientPort = try #require(lines.first.map(String.init))

        #expect(repl.waitForExit(timeout: .seconds(10)) == .exited(0), "stderr: \(repl.standardError)")
        #expect(repl.standardError == "")
        #expect(
            repl.standardOutput == """
                srv: listening on 127.0.0.1:\(port) (connections will be srv.1, srv.2, …)
                mode lines
                srv.1: accepted from 127.0.0.1:\(clientPort) (now the current peer)
                srv.1 ← hello from python
                srv.1 → hi, python
                srv.1 ← bye
                srv.1: the peer closed the connection (end of stream)
                srv.1: closed (22 bytes in, 11 out)
                closed srv

                """
        )
    }

    @Test func aScriptFileStopsNothingButItsStatusTellsOfEveryFailure() throws {
        let home = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let script = home + "/check.repl"
        try """
        # a comment, then a command that fails, then one that works
        connect 127.0.0.1
        set crlf on
        listen 0
        expect anything timeout 0.2
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let finished = try runProgram("labrepl", ["--script", script])
        #expect(finished.termination == .exited(1))
        #expect(finished.standardOutput.hasPrefix("crlf on\nl: listening on 127.0.0.1:"))
        #expect(finished.standardOutput.hasSuffix("closed l\n"))
        let port = try listeningPort(in: finished.standardOutput)
        #expect(
            finished.standardError == """
                \(script):2: usage: connect HOST PORT [as NAME] — for example: connect 127.0.0.1 65432 as echo
                \(script):5: expect "anything": no client connected to l within 0.2 s — is the client running? (it connects to \
                127.0.0.1:\(port))

                """
        )
    }

    /// Frames mode against a peer the kit did not write: Python plays lab 5's router. `expect` matches frames as the
    /// screen shows them and takes them whole — a WELCOME that arrives a byte at a time included — and a failed
    /// expect says what is unread, frame by frame, and takes nothing.
    @Test func framesModeExpectsFramesAsShownFromAPythonRouter() throws {
        let router = try ChildProcess(
            "python3",
            [
                "-c",
                """
                import socket, struct, time
                def frame(kind, text):
                    body = text.encode()
                    return struct.pack('!HI', kind, len(body)) + body
                server = socket.create_server(('127.0.0.1', 0))
                print(server.getsockname()[1], flush=True)
                conn, _ = server.accept()
                stream = conn.makefile('rb')
                kind, length = struct.unpack('!HI', stream.read(6))
                name = stream.read(length).decode()
                for byte in frame(0x81, name):
                    conn.sendall(bytes([byte]))
                    time.sleep(0.002)
                conn.sendall(frame(0x82, 'Lee\\nhi ' + name) + frame(0x84, name + '\\nLee'))
                conn.sendall(frame(0xFF, 'unknown-type\\n0x0042 is not a frame type of this protocol'))
                conn.shutdown(socket.SHUT_WR)
                stream.read()
                """,
            ],
            timeLimit: .seconds(60)
        )
        defer { router.stop() }
        let port = try #require(router.waitForLine(timeout: .seconds(10)) { Int($0) != nil }, "\(router.standardError)")
        let home = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let script = home + "/frames.repl"
        try """
        connect 127.0.0.1 \(port) as kim
        set mode frames
        frame HELLO Kim
        expect WELCOME
        expect hi Kim
        expect USERS Lee
        expect PONG timeout 5
        expect ERROR "unknown-type
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let finished = try runProgram("labrepl", ["--script", script])
        #expect(finished.termination == .exited(1), "\(finished.standardError)")
        #expect(
            finished.standardOutput == """
                kim: connected to 127.0.0.1:\(port)
                mode frames
                kim → HELLO "Kim"
                kim ← WELCOME "Kim"
                kim ← DELIVER "Lee\\nhi Kim"
                kim ← USERS "Kim\\nLee"
                kim ← ERROR "unknown-type\\n0x0042 is not a frame type of this protocol"
                kim: the peer closed the connection (end of stream)
                closed kim

                """
        )
        #expect(
            finished.standardError == """
                \(script):7: expect "PONG": kim closed the connection without sending it (unread: ERROR "unknown-type\\n0x0042 \
                is not a frame type of this protocol")

                """
        )
    }

    @Test func helpExplainsOnePartOfACommand() throws {
        let finished = try runProgram("labrepl", ["--script", "/dev/stdin"], input: "help tg say\nhelp tg sya\n")
        #expect(
            finished.standardOutput == """
                tg say TEXT...
                  write to the bot, as the user
                  A text starting with / is a command, sent with its bot_command entity, as Telegram does.
                  TEXT  text; escapes: \\n \\r \\t \\0 \\\\ \\" \\xHH; "double quotes" keep spaces at the ends
                  example: tg say /start

                """
        )
        #expect(
            finished.standardError == """
                /dev/stdin:2: tg has no part "sya" — its parts: connect, say, expect, requests, fault, disconnect

                """
        )
    }

    @Test func aMissingScriptIsOneLineAndStatus2() throws {
        let finished = try runProgram("labrepl", ["--script", "/nonexistent/check.repl"])
        #expect(finished.termination == .exited(2))
        #expect(finished.standardError == "labrepl: cannot read /nonexistent/check.repl: no such file or directory\n")
    }
}
