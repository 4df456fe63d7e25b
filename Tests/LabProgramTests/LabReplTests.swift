import ProcessKit
import TestSupport
import Testing

/// labrepl's scripted mode against the lab 3 reference echo server: what the handouts show students.
@Suite struct LabReplTests {
    @Test func drivesTheEchoServerAndAFailedExpectSetsTheStatus() throws {
        let (server, port) = try startServer("lab3-echo-server-solution")
        defer { server.stop() }
        let finished = try runProgram(
            "labrepl",
            [],
            input: """
                connect 127.0.0.1 \(port) as echo
                sendline hello
                expect hello
                send \\x00\\x01
                recv
                sendhex 41 42 0a
                expect AB
                expect goodbye timeout 0.5
                close

                """
        )
        #expect(finished.termination == .exited(1))
        #expect(
            finished.standardOutput == """
                echo: connected to 127.0.0.1:\(port)
                echo → b'hello\\n'
                echo ← b'hello\\n'
                echo → b'\\x00\\x01'
                echo ← b'\\x00\\x01'
                echo → b'AB\\n'
                echo ← b'AB\\n'
                echo: closed (11 bytes in, 11 out)

                """
        )
        #expect(
            finished.standardError == """
                line 8: expect "goodbye": not seen from echo within 0.5 s (nothing unread)

                """
        )
    }
}
