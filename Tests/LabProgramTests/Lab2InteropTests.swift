import ProcessKit
import TestSupport
import Testing

/// The greeting speaks the course homework's wire protocol, so it must interoperate with plain Python peers.
@Suite(.requires(tool: "python3")) struct Lab2InteropTests {
    @Test func serverAnswersAPlainPythonClient() throws {
        let (server, port) = try startServer("lab2-greeting-server-solution", ["--name", "Kim, Younghee", "--age", "22"])
        defer { server.stop() }
        let output = try runPeer("python3", ["-c", """
            import socket
            with socket.create_connection(('127.0.0.1', \(port))) as s:
                s.sendall(b'what is your name?'); print(s.recv(1024).decode())
                s.sendall(b'How old are you?'); print(s.recv(1024).decode())
                s.sendall(b'bye'); print(repr(s.recv(1024)))
            """])
        #expect(output == "My name is Kim, Younghee.\nI am 22.\nb''\n")
    }

    @Test func clientTalksToAPlainPythonServerThatAnswersWithoutAPeriod() throws {
        let server = try ChildProcess("python3", ["-u", "-c", """
            import socket
            with socket.create_server(('127.0.0.1', 0)) as s:
                print('listening on 127.0.0.1:%d' % s.getsockname()[1])
                conn, _ = s.accept()
                with conn:
                    print(conn.recv(1024).decode()); conn.sendall(b'My name is Park')
                    print(conn.recv(1024).decode()); conn.sendall(b'I am 31')
                    print(repr(conn.recv(1024)))
            """], timeLimit: .seconds(30))
        defer { server.stop() }
        let line = try #require(server.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("listening on") })
        let port = String(line.split(separator: ":").last!)
        let client = try runProgram("lab2-greeting-client-solution", ["--port", port])
        #expect(client.standardOutput == """
            Hong, Gil Dong: Hi. What is your name?
            Park: My name is Park
            Hong, Gil Dong: How old are you?
            Park: I am 31

            """)
        #expect(server.waitForExit(timeout: .seconds(5)) == .exited(0))
        #expect(server.standardOutput.hasSuffix("what is your name?\nHow old are you?\nb''\n"))
    }
}
