import ProcessKit
import SocketKit
import TestSupport
import Testing

/// `repr` must print bytes exactly as Python does, so lab output matches the lecture's slides.
@Suite(.requires(tool: "python3")) struct ReprTests {
    @Test(
        arguments: [
            Array("Hello, world".utf8),
            Array("a'b".utf8),
            Array("a\"b".utf8),
            Array("a'\"b\\".utf8),
            Array(0...255),
            [],
        ] as [[UInt8]]
    )
    func matchesPython(_ bytes: [UInt8]) throws {
        let literal = "bytes([" + bytes.map(String.init).joined(separator: ",") + "])"
        let python = try ChildProcess.run("python3", ["-c", "print(repr(\(literal)))"], timeout: .seconds(10))
        try #require(python.termination.succeeded, "python3 failed: \(python.standardError)")
        #expect(repr(bytes) + "\n" == python.standardOutput)
    }
}

/// `quoted` writes text as a Swift string literal would, so a message shows exactly what was there.
@Suite struct QuotedTests {
    @Test func escapesWhatCannotBeSeenAndKeepsEveryScript() {
        #expect(quoted("Hello\n") == #""Hello\n""#)
        #expect(quoted(#"say "hi" \ bye"#) == #""say \"hi\" \\ bye""#)
        #expect(quoted("tab\there\r\0") == #""tab\there\r\0""#)
        #expect(quoted("안녕 Ünïcode 😀") == "\"안녕 Ünïcode 😀\"")
        // A bell, an escape, a right-to-left override and a zero-width space: invisible, so shown as escapes.
        #expect(quoted("\u{07}\u{1B}[0m\u{202E}x\u{200B}") == #""\u{7}\u{1b}[0m\u{202e}x\u{200b}""#)
        #expect(quoted("part of a line"[...]) == #""part of a line""#)
    }
}
