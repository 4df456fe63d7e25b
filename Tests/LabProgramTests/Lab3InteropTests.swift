import Foundation
import ProcessKit
import SocketKit
import TestSupport
import Testing

/// The echo server and client against peers the kit did not write: Python's socket module, nc and socat.
@Suite struct Lab3InteropTests {
    @Test(.requires(tool: "python3")) func serverEchoesAMegabyteToPython() throws {
        let (server, port) = try startServer("lab3-echo-server-solution")
        defer { server.stop() }
        let output = try runPeer(
            "python3",
            [
                "-c",
                """
                import socket, threading
                data = bytes((i * 7 + (i >> 11)) & 255 for i in range(1 << 20))
                with socket.create_connection(('127.0.0.1', \(port))) as s:
                    threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR))).start()
                    got = bytearray()
                    while chunk := s.recv(65536):
                        got += chunk
                print(len(got), bytes(got) == data)
                """,
            ]
        )
        #expect(output == "1048576 True\n")
    }

    @Test(.requires(tool: "nc")) func serverEchoesForNetcat() throws {
        let (server, port) = try startServer("lab3-echo-server-solution")
        defer { server.stop() }
        let output = try runPeer("nc", ["-N", "127.0.0.1", String(port)], input: "Hello, world\nsecond line\n")
        #expect(output == "Hello, world\nsecond line\n")
    }

    @Test(.requires(tool: "socat")) func serverEchoesForSocatAndServesClientsOneAfterAnother() throws {
        let (server, port) = try startServer("lab3-echo-server-solution")
        defer { server.stop() }
        for round in 1...3 {
            let output = try runPeer("socat", ["-t", "5", "-", "TCP:127.0.0.1:\(port)"], input: "round \(round)\n")
            #expect(output == "round \(round)\n")
        }
        #expect(lines(containing: "Connected by", in: server, atLeast: 3) == 3)
    }

    /// The echo comes back a byte at a time, each byte sent only once the client has read the one before and waits
    /// for more (it has blocked again since): a client that calls recv() once would print b'H', every time.
    @Test(.requires(tool: "python3")) func clientAgainstAPythonEchoServerThatAnswersInPieces() throws {
        let server = try ChildProcess(
            "python3",
            [
                "-u", "-c",
                """
                import socket, sys
                with socket.create_server(('127.0.0.1', 0)) as s:
                    print('listening on 127.0.0.1:%d' % s.getsockname()[1])
                    conn, _ = s.accept()
                    with conn:
                        data = b''
                        while len(data) < 12: data += conn.recv(1024)
                        print('received', len(data))
                        for i in range(len(data)):
                            sys.stdin.readline()  # the test's go-ahead for the next byte
                            conn.sendall(data[i:i+1])
                """,
            ],
            timeLimit: .seconds(30)
        )
        defer { server.stop() }
        let line = try #require(server.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("listening on") })
        let client = try ChildProcess(
            try productsDirectory() + "/lab3-echo-client-solution",
            ["--port", String(line.split(separator: ":").last!), "Hello, world"],
            timeLimit: .seconds(30)
        )
        defer { client.stop() }
        try #require(server.waitForLine(timeout: .seconds(10)) { $0 == "received 12" } != nil)
        var before = try #require(
            client.waitUntilWaiting(timeout: .seconds(10)),
            "the client never waited for the echo"
        )
        for _ in 0..<12 {
            server.write("\n")
            guard let now = client.waitUntilWaiting(timeout: .seconds(10), where: { $0.switches > before.switches })
            else { break }  // it has ended
            before = now
        }
        #expect(client.waitForExit(timeout: .seconds(10)) == .exited(0), "stderr: \(client.standardError)")
        #expect(client.standardOutput == "I am going to send b'Hello, world'\nReceived b'Hello, world'\n")
    }

    @Test(.requires(tool: "python3")) func udpEchoForPython() throws {
        let (server, port) = try startServer("lab3-echo-server-solution", ["--udp"])
        defer { server.stop() }
        let output = try runPeer(
            "python3",
            [
                "-c",
                """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
                for message in (b'one', b'two'):
                    s.sendto(message, ('127.0.0.1', \(port))); print(s.recvfrom(1024)[0])
                """,
            ]
        )
        #expect(output == "b'one'\nb'two'\n")
    }

    // MARK: A Unix domain socket (--unix PATH)

    /// socat and Python's AF_UNIX are served like TCP clients; Ctrl-C ends the server, its socket file with it.
    @Test(.requires(tool: "socat"), .requires(tool: "python3"))
    func unixSocketServerEchoesForSocatAndPythonAndRemovesItsFileOnCtrlC() throws {
        let folder = try makeTemporaryDirectory(prefix: "lab3-unix")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/echo.sock"
        let server = try startUnixServer(at: path)
        defer { server.stop() }
        #expect(
            try runPeer("socat", ["-t", "5", "-", "UNIX-CONNECT:\(path)"], input: "over socat\n") == "over socat\n"
        )
        let output = try runPeer(
            "python3",
            [
                "-c",
                """
                import socket, sys
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(sys.argv[1]); s.sendall(b'from Python'); s.shutdown(socket.SHUT_WR)
                    got = b''
                    while chunk := s.recv(1024):
                        got += chunk
                print(got)
                """, path,
            ]
        )
        #expect(output == "b'from Python'\n")
        #expect(lines(containing: "Connection from", in: server, atLeast: 2) == 2)

        server.signal(SIGINT)
        #expect(server.waitForExit(timeout: .seconds(10)) == .signalled(SIGINT), "stderr: \(server.standardError)")
        #expect(!FileManager.default.fileExists(atPath: path), "the socket file outlived the server")
    }

    /// A socket file nobody listens on (a server killed with kill -9 leaves one) is replaced; a live server's is not
    /// taken, nor is a file that is not a socket; SIGTERM removes the file too.
    @Test func unixSocketServerReplacesOnlyAStaleSocketFile() throws {
        let folder = try makeTemporaryDirectory(prefix: "lab3-unix")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/echo.sock"
        let stale = try Socket(.unix, .stream)
        try stale.bind(path)
        stale.close()

        let server = try startUnixServer(at: path)
        defer { server.stop() }
        let second = try runProgram("lab3-echo-server-solution", ["--unix", path])
        #expect(second.termination == .exited(1))
        #expect(second.standardError.contains("another server is listening on \(path)"))
        let client = try runProgram("lab3-echo-client-solution", ["--unix", path, "still there"])
        #expect(client.standardOutput.hasSuffix("Received b'still there'\n"))

        server.signal(SIGTERM)
        #expect(server.waitForExit(timeout: .seconds(10)) == .signalled(SIGTERM))
        #expect(!FileManager.default.fileExists(atPath: path))

        let notes = Data("not a socket\n".utf8)
        try notes.write(to: URL(fileURLWithPath: path))
        let refused = try runProgram("lab3-echo-server-solution", ["--unix", path])
        #expect(refused.termination == .exited(1))
        #expect(refused.standardError.contains("is not a socket"))
        #expect(FileManager.default.contents(atPath: path) == notes)
    }

    /// The client with --unix against a Python AF_UNIX echo server that answers in two pieces.
    @Test(.requires(tool: "python3")) func unixClientAgainstAPythonServer() throws {
        let folder = try makeTemporaryDirectory(prefix: "lab3-unix")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/py.sock"
        let server = try ChildProcess(
            "python3",
            [
                "-u", "-c",
                """
                import socket, sys
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.bind(sys.argv[1]); s.listen(); print('listening on', sys.argv[1])
                    conn, _ = s.accept()
                    with conn:
                        data = b''
                        while len(data) < 12: data += conn.recv(1024)
                        conn.sendall(data[:5]); conn.sendall(data[5:])
                        print(repr(conn.recv(1024)))
                """, path,
            ],
            timeLimit: .seconds(30)
        )
        defer { server.stop() }
        try #require(server.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("listening on") } != nil)
        let client = try runProgram("lab3-echo-client-solution", ["--unix", path, "Hello, world"])
        #expect(client.termination == .exited(0), "stderr: \(client.standardError)")
        #expect(client.standardOutput == "I am going to send b'Hello, world'\nReceived b'Hello, world'\n")
        #expect(server.waitForExit(timeout: .seconds(10)) == .exited(0))
        #expect(server.standardOutput.hasSuffix("b''\n"), "the client should close its side when done")
    }

    private func startUnixServer(at path: String) throws -> ChildProcess {
        let server = try ChildProcess(
            try productsDirectory() + "/lab3-echo-server-solution",
            ["--unix", path],
            timeLimit: .seconds(60)
        )
        try #require(
            server.waitForLine(timeout: .seconds(10)) { $0 == "listening on \(path)" } != nil,
            "stderr: \(server.standardError)"
        )
        return server
    }
}
