import Testing

@testable import LabCheckKit

@Suite struct ByteDifferenceTests {
    @Test func aCaretUnderTheFirstWrongByteInBothColumns() throws {
        let drawn = try #require(
            byteDifference(expected: Array("Hello, world".utf8), received: Array("Hello, World".utf8))
        )
        let lines = drawn.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "first difference at byte 7 (of 12 expected, 12 received):")
        #expect(lines[1].hasPrefix("  expected  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64"))
        #expect(lines[1].hasSuffix("  Hello, world"))
        #expect(lines[2].hasSuffix("  Hello, World"))
        // The carets stand under "57" in the hex column and under "W" in the text column.
        let caretLine = lines[3]
        let hexColumn = lines[2].range(of: "57")!.lowerBound.utf16Offset(in: lines[2])
        let textColumn = lines[2].range(of: "World")!.lowerBound.utf16Offset(in: lines[2])
        let carets = caretLine.enumerated().filter { $0.element == "^" }.map(\.offset)
        #expect(carets == [hexColumn, hexColumn + 1, textColumn])
    }

    @Test func aLongEchoShowsOnlyAWindowAroundTheDifference() throws {
        let sent = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var echoed = sent
        echoed[48613] ^= 0xFF
        let drawn = try #require(byteDifference(expected: sent, received: echoed, labels: ("sent", "echoed")))
        #expect(
            drawn.hasPrefix(
                "first difference at byte 48613 (of 1048576 sent, 1048576 echoed) (the rows start at byte 48606):"
            )
        )
        #expect(drawn.count < 400)
    }

    @Test func aShortReplyEndsWhereTheMissingByteWouldBe() throws {
        let drawn = try #require(
            byteDifference(expected: [0, 0x81, 0, 0, 0, 3, 75, 105, 109], received: [0, 0x81, 0, 0, 0, 3])
        )
        #expect(drawn.hasPrefix("first difference at byte 6 (of 9 expected, 6 received):"))
        #expect(drawn.contains("(ends here)"))
    }

    @Test func equalBytesHaveNoDifference() {
        #expect(byteDifference(expected: [1, 2, 3], received: [1, 2, 3]) == nil)
        #expect(firstDifference([1, 2, 3], [1, 2]) == 2)
    }

    @Test func expectBytesSaysHowManyAreMissing() {
        #expect(throws: CheckFailure.self) { try expectBytes([1, 2], equal: [1, 2, 3], "the echo") }
        do {
            try expectBytes([1, 2], equal: [1, 2, 3], "the echo")
        } catch {
            #expect("\(error)".hasPrefix("the echo is 1 bytes short; first difference at byte 2"))
        }
    }

    @Test func aLongTextLineGetsACaretToo() {
        let drawn = textDifference(
            expected: quoted("Kim, Younghee: My name is Kim, Younghee."),
            actual: quoted("Kim, Younghee: My name is Kim, Younghee")
        )
        let lines = drawn.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let period = lines[0].count - 2  // the expected line ends `."`
        #expect(lines[2] == String(repeating: " ", count: period) + "^")
    }
}
