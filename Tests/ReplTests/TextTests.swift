import Testing

@testable import ReplKit

@Suite struct TextTests {
    @Test func escapesBecomeBytes() throws {
        #expect(try unescape(#"a\tb\r\n\0\\\"\x7f\xFF"#) == [97, 9, 98, 13, 10, 0, 92, 34, 127, 255])
        #expect(try unescape("안녕") == Array("안녕".utf8))
    }

    @Test func badEscapesSayWhatToWrite() {
        #expect(throws: ReplError.self) { try unescape(#"\q"#) }
        #expect(throws: ReplError.self) { try unescape(#"\x4"#) }
        #expect(throws: ReplError.self) { try unescape(#"trailing\"#) }
        let error = #expect(throws: ReplError.self) { try unescape(#"\q"#) }
        #expect(error?.description == #"unknown escape \q in "\q": use \n \r \t \0 \\ \" or \xHH"#)
    }

    @Test func hexTakesSpacesColonsAndPrefixes() throws {
        #expect(try parseHex("48 69 0a") == [0x48, 0x69, 0x0A])
        #expect(try parseHex("48690A") == [0x48, 0x69, 0x0A])
        #expect(try parseHex("0x48:0x69") == [0x48, 0x69])
        #expect(throws: ReplError.self) { try parseHex("486") }
        #expect(throws: ReplError.self) { try parseHex("zz") }
    }

    @Test func nothingRawReachesTheTerminal() {
        // An escape sequence, a bell, a right-to-left override and a byte that is not UTF-8.
        let hostile: [UInt8] = [0x1B] + Array("[2J".utf8) + [0x07] + Array("\u{202E}".utf8) + [0xFF, 0x0A]
        #expect(displayable(hostile) == #"\x1b[2J\x07\xe2\x80\xae\xff\n"#)
        #expect(displayable(Array("김영희 says \\ hi\t".utf8)) == #"김영희 says \\ hi\t"#)
    }

    @Test func hexdumpShowsOffsetHexAndASCII() {
        let rows = hexdumpLines(Array("Hello, world!\n\u{0}\u{1}ABC".utf8))
        #expect(
            rows == [
                "0000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 01  |Hello, world!...|",
                "0010  41 42 43                                          |ABC|",
            ]
        )
    }
}
