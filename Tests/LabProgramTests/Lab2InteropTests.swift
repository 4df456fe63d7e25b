import ProcessKit
import TestSupport
import Testing

/// The greeting speaks the course homework's wire protocol, so it must interoperate with plain Python peers.
@Suite(.requires(tool: "python3")) struct Lab2InteropTests {
    @Test func serverAnswersAPlainPythonClient() throws {
        let (server, port) = try startServer(
            "lab2-greeting-server-solution",
            ["--name", "Kim, Younghee", "--age", "22"]
        )
        defer { server.stop() }
        let output = try runPeer(
            "python3",
            [
                "-c",
                """
                import socket
                with socket.create_connection(('127.0.0.1', \(port))) as s:
                    s.sendall(b'what is your name?'); print(s.recv(1024).decode())
                    s.sendall(b'How old are you?'); print(s.recv(1024).decode())
                    s.sendall(b'bye'); print(repr(s.recv(1024)))
                """,
            ]
        )
        #expect(output == "My name is Kim, Younghee.\nI am 22.\nb''\n")
    }

    @Test func clientTalksToAPlainPythonServerThatAnswersWithoutAPeriod() throws {
        let server = try ChildProcess(
            "python3",
            [
                "-u", "-c",
                """
                import socket
                with socket.create_server(('127.0.0.1', 0)) as s:
                    print('listening on 127.0.0.1:%d' % s.getsockname()[1])
                    conn, _ = s.accept()
                    with conn:
                        print(conn.recv(1024).decode()); conn.sendall(b'My name is Park')
                        print(conn.recv(1024).decode()); conn.sendall(b'I am 31')
                        print(repr(conn.recv(1024)))
                """,
            ],
            timeLimit: .seconds(30)
        )
        defer { server.stop() }
        let line = try #require(server.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("listening on") })
        let port = String(line.split(separator: ":").last!)
        let client = try runProgram("lab2-greeting-client-solution", ["--port", port])
        #expect(
            client.standardOutput == """
                Hong, Gil Dong: Hi. What is your name?
                Park: My name is Park
                Hong, Gil Dong: How old are you?
                Park: I am 31

                """
        )
        #expect(server.waitForExit(timeout: .seconds(5)) == .exited(0))
        #expect(server.standardOutput.hasSuffix("what is your name?\nHow old are you?\nb''\n"))
    }

    // MARK: IPv6 (step 7)

    /// On ::1 the server is IPv6 only; on :: it takes both families, an IPv4 client showing up as ::ffff:127.0.0.1.
    @Test func serverOnIPv6AnswersPythonOverBothFamilies() throws {
        let (six, port) = try startServer("lab2-greeting-server-solution", ["--host", "::1"])
        defer { six.stop() }
        #expect(six.standardOutput.hasPrefix("listening on [::1]:"))
        #expect(try ask("::1", port) == "My name is Kim, Younghee.\n")
        #expect(lines(containing: "Connected by [::1]:", in: six, atLeast: 1) == 1)

        let (both, bothPort) = try startServer("lab2-greeting-server-solution", ["--host", "::"])
        defer { both.stop() }
        #expect(try ask("::1", bothPort) == "My name is Kim, Younghee.\n")
        #expect(try ask("127.0.0.1", bothPort) == "My name is Kim, Younghee.\n")
        #expect(lines(containing: "Connected by [::ffff:127.0.0.1]:", in: both, atLeast: 1) == 1)
    }

    /// The client by name and by an IPv6 address, against a Python server on ::, which every address of localhost
    /// reaches.
    @Test func clientConnectsByNameAndOverIPv6() throws {
        for host in ["localhost", "::1"] {
            let server = try ChildProcess(
                "python3",
                [
                    "-u", "-c",
                    """
                    import socket
                    with socket.create_server(('::', 0), family=socket.AF_INET6, dualstack_ipv6=True) as s:
                        print('listening on [::]:%d' % s.getsockname()[1])
                        conn, _ = s.accept()
                        with conn:
                            conn.recv(1024); conn.sendall(b'My name is Park.')
                            conn.recv(1024); conn.sendall(b'I am 31.')
                    """,
                ],
                timeLimit: .seconds(30)
            )
            defer { server.stop() }
            let line = try #require(server.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("listening on") })
            let client = try runProgram(
                "lab2-greeting-client-solution",
                ["--host", host, "--port", String(line.split(separator: ":").last!)]
            )
            #expect(client.standardOutput.hasSuffix("Park: I am 31.\n"), "--host \(host): \(client.standardError)")
        }
    }

    /// A plain Python client over `host`: asks the name, prints the answer.
    private func ask(_ host: String, _ port: Int) throws -> String {
        try runPeer(
            "python3",
            [
                "-c",
                """
                import socket
                with socket.create_connection(('\(host)', \(port))) as s:
                    s.sendall(b'what is your name?'); print(s.recv(1024).decode())
                """,
            ]
        )
    }
}
