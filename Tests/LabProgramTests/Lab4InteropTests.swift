import Foundation
import ProcessKit
import TestSupport
import Testing

/// The multiplexed echo server and client against peers the kit did not write (Python's socket module, nc, socat,
/// the lecture's own Python server), and the benchmark tool run small.
@Suite struct Lab4InteropTests {
    @Test(.requires(tool: "python3")) func serverGivesFiftyConcurrentPythonClientsEveryByteBack() throws {
        let (server, port) = try startServer("lab4-mux-server-solution", ["--quiet"])
        defer { server.stop() }
        // Each client sends 200 kB in pieces from one thread while another reads, then half-closes.
        let output = try runPeer(
            "python3",
            [
                "-c",
                """
                import socket, threading
                bad = []
                def client(n):
                    data = bytes((i * 7 + n) % 251 for i in range(200_000))
                    with socket.create_connection(('127.0.0.1', \(port)), timeout=15) as s:
                        def send():
                            for i in range(0, len(data), 3000): s.sendall(data[i:i + 3000])
                            s.shutdown(socket.SHUT_WR)
                        t = threading.Thread(target=send); t.start()
                        got = bytearray()
                        while chunk := s.recv(65536): got += chunk
                        t.join()
                    if bytes(got) != data: bad.append(n)
                threads = [threading.Thread(target=client, args=(n,)) for n in range(50)]
                for t in threads: t.start()
                for t in threads: t.join()
                print('bad:', bad)
                """,
            ]
        )
        #expect(output == "bad: []\n")
    }

    @Test(.requires(tool: "nc"), .requires(tool: "socat")) func serverEchoesForNetcatAndSocat() throws {
        let (server, port) = try startServer("lab4-mux-server-solution")
        defer { server.stop() }
        let input = (1...20_000).map { "line \($0) of the input\n" }.joined()
        #expect(try runPeer("nc", ["-N", "127.0.0.1", String(port)], input: input) == input)
        #expect(try runPeer("socat", ["-t", "10", "-", "TCP:127.0.0.1:\(port)"], input: input) == input)
        #expect(lines(containing: "accepted connection from", in: server, atLeast: 2) == 2)
        #expect(lines(containing: "closing connection to", in: server, atLeast: 2) == 2)
    }

    @Test(.requires(tool: "python3")) func clientWorksWithTheLecturesPythonServer() throws {
        let python = try ChildProcess(
            "python3",
            [kitFile("Labs/04-multiplexed-echo/lecture_selectors_echo.py"), "0"],
            timeLimit: .seconds(60)
        )
        defer { python.stop() }
        let line = try #require(python.waitForLine(timeout: .seconds(10)) { $0.hasPrefix("listening on ") })
        let client = try runProgram(
            "lab4-mux-client-solution",
            [
                "--port", String(line.split(separator: ":").last!), "--connections", "200", "--quiet", "--messages",
                "Message 1", "Message 2",
            ]
        )
        #expect(client.termination.succeeded, "\(client.standardOutput)\(client.standardError)")
        #expect(client.standardOutput.contains("200 connections: 200 ok, 0 failed"))
    }

    @Test func benchmarkToolMeasuresAndDraws() throws {
        let (server, port) = try startServer("lab4-mux-server-solution", ["--quiet"])
        defer { server.stop() }
        let load = try runProgram(
            "labbench",
            ["load", "--port", String(port), "--connections", "20", "--messages", "50"]
        )
        #expect(load.termination.succeeded, "\(load.standardOutput)\(load.standardError)")
        #expect(load.standardOutput.contains("roundtrips=1000 errors=0 unfinished=0"))

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("labbench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let compare = try runProgram(
            "labbench",
            [
                "compare", "--bin-dir", try productsDirectory(), "--solution", "--only", "selector,blocking",
                "--levels", "1,5",
                "--round-trips", "100", "--out", out,
            ]
        )
        #expect(compare.termination.succeeded, "\(compare.standardOutput)\(compare.standardError)")
        let csv = try String(contentsOfFile: out + "/bench.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 5)  // a header, then 2 servers × 2 levels
        let svg = try String(contentsOfFile: out + "/bench.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("selector (lab 4)"))
    }
}

/// A file of the kit, found from this source file's place in it (Tests/LabProgramTests/…).
private func kitFile(_ path: String, from source: String = #filePath) -> String {
    URL(fileURLWithPath: source).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(path).path
}
