import ProcessKit
import SocketKit
import TestSupport
import Testing

/// `repr` must print bytes exactly as Python does, so lab output matches the lecture's slides.
@Suite(.requires(tool: "python3")) struct ReprTests {
    @Test(arguments: [
        Array("Hello, world".utf8),
        Array("a'b".utf8),
        Array("a\"b".utf8),
        Array("a'\"b\\".utf8),
        Array(0...255),
        [],
    ] as [[UInt8]])
    func matchesPython(_ bytes: [UInt8]) throws {
        let literal = "bytes([" + bytes.map(String.init).joined(separator: ",") + "])"
        let python = try ChildProcess.run("python3", ["-c", "print(repr(\(literal)))"], timeout: .seconds(10))
        try #require(python.termination.succeeded, "python3 failed: \(python.standardError)")
        #expect(repr(bytes) + "\n" == python.standardOutput)
    }
}
