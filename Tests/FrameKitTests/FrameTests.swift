import FrameKit
import Testing

@Suite struct FrameTypeTests {
    @Test func rawValuesAndNamesAreTheSpecs() {
        let spec: [(FrameType, UInt16, String)] = [
            (.hello, 0x0001, "HELLO"), (.send, 0x0002, "SEND"), (.broadcast, 0x0003, "BROADCAST"),
            (.list, 0x0004, "LIST"), (.ping, 0x0005, "PING"), (.bye, 0x0006, "BYE"),
            (.welcome, 0x0081, "WELCOME"), (.deliver, 0x0082, "DELIVER"), (.users, 0x0084, "USERS"),
            (.pong, 0x0085, "PONG"), (.error, 0x00FF, "ERROR"),
        ]
        for (type, raw, name) in spec {
            #expect(type.rawValue == raw)
            #expect(type.name == name)
            #expect(type.description == name)
            #expect(type.isKnown)
            #expect(FrameType(rawValue: raw) == type)
        }
        #expect(FrameType.known == spec.map(\.0))
    }

    @Test func unknownTypesAreAllowedAndPrintTheirValue() {
        #expect(FrameType(0x0042).name == "0x0042")
        #expect(FrameType(0xBEEF).name == "0xBEEF")
        #expect(FrameType(0x0000).name == "0x0000")
        #expect(!FrameType(0x0042).isKnown)
        #expect(!FrameType(0x0007).isKnown)
    }
}

@Suite struct EncodingTests {
    @Test func knownByteVectors() {
        // Written out by hand from the spec: type (2 bytes), length (4 bytes), body.
        #expect(Frame(.hello, text: "Kim").encoded() == [0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x4B, 0x69, 0x6D])
        #expect(Frame(.list).encoded() == [0x00, 0x04, 0x00, 0x00, 0x00, 0x00])
        #expect(
            Frame(.deliver, text: "Hong\nhi").encoded()
                == [0x00, 0x82, 0x00, 0x00, 0x00, 0x07, 0x48, 0x6F, 0x6E, 0x67, 0x0A, 0x68, 0x69]
        )
        #expect(
            Frame(.error, text: "timeout\n").encoded()
                == [0x00, 0xFF, 0x00, 0x00, 0x00, 0x08, 0x74, 0x69, 0x6D, 0x65, 0x6F, 0x75, 0x74, 0x0A]
        )
        // 김 is EA B9 80 in UTF-8: the length counts bytes, not characters.
        #expect(Frame(.hello, text: "김").encoded() == [0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0xEA, 0xB9, 0x80])
        #expect(Frame(FrameType(0xBEEF), body: [0x01]).encoded() == [0xBE, 0xEF, 0x00, 0x00, 0x00, 0x01, 0x01])
    }

    @Test func lengthUsesAllFourBytesInNetworkOrder() {
        let frame = Frame(.ping, body: Array(repeating: 0xAB, count: 0x0001_0203))
        let bytes = frame.encoded()
        #expect(Array(bytes.prefix(6)) == [0x00, 0x05, 0x00, 0x01, 0x02, 0x03])
        #expect(bytes.count == 6 + 0x0001_0203)
    }

    @Test func encodeIntoAppendsToWhatIsThere() {
        var buffer: [UInt8] = [0x99]
        Frame(.bye).encode(into: &buffer)
        Frame(.ping, body: [7]).encode(into: &buffer)
        #expect(buffer == [0x99, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x07])
    }

    static let bodies: [[UInt8]] = [
        [], [0x00], Array("Hong\nhi".utf8), Array(0...255), Array("김영희".utf8),
        Array(repeating: 0x5A, count: Frame.defaultBodyLimit),
    ]

    @Test(arguments: FrameType.known + [FrameType(0x0042), FrameType(0xFFFF)])
    func everyTypeRoundTripsThroughTheDecoder(type: FrameType) throws {
        for body in Self.bodies {
            let frame = Frame(type, body: body)
            var decoder = FrameDecoder()
            decoder.feed(frame.encoded())
            #expect(try decoder.next() == frame)
            #expect(try decoder.next() == nil)
            #expect(decoder.bufferedCount == 0)
        }
    }

    @Test func textIsTheBodyInUTF8() {
        #expect(Frame(.hello, text: "Kim").body == [0x4B, 0x69, 0x6D])
        #expect(Frame(.hello, text: "Kim").text == "Kim")
        #expect(Frame(.broadcast, text: "안녕").text == "안녕")
        #expect(Frame(.ping, body: [0x41, 0xFF]).text == "A\u{FFFD}")
    }
}

@Suite struct DescriptionTests {
    @Test func typeThenQuotedBody() {
        #expect(Frame(.hello, text: "Kim").description == #"HELLO "Kim""#)
        #expect(Frame(.deliver, text: "Hong\nhi").description == #"DELIVER "Hong\nhi""#)
        #expect(Frame(.list).description == "LIST")
        #expect(Frame(FrameType(0x0042), text: "x").description == #"0x0042 "x""#)
        #expect(Frame(.users, text: "김영희\nHong").description == #"USERS "김영희\nHong""#)
    }

    @Test func escapesEverythingThatIsNotPrintableText() {
        #expect(Frame(.ping, body: [0x00, 0x09, 0x0D, 0x1B, 0x7F]).description == #"PING "\x00\t\r\x1B\x7F""#)
        #expect(Frame(.broadcast, text: #"say "hi" \o/"#).description == #"BROADCAST "say \"hi\" \\o/""#)
        #expect(Frame(.broadcast, text: "\u{85}").description == #"BROADCAST "\u{85}""#)
    }

    @Test func bytesThatAreNotUTF8AreShownOneByOne() {
        #expect(Frame(.ping, body: [0x41, 0xFF, 0xC3]).description == #"PING "A\xFF\xC3""#)
        // Overlong "/", a UTF-16 surrogate, and a value past U+10FFFF are not UTF-8 either.
        #expect(Frame(.ping, body: [0xC0, 0xAF]).description == #"PING "\xC0\xAF""#)
        #expect(Frame(.ping, body: [0xED, 0xA0, 0x80]).description == #"PING "\xED\xA0\x80""#)
        #expect(Frame(.ping, body: [0xF4, 0x90, 0x80, 0x80]).description == #"PING "\xF4\x90\x80\x80""#)
        // A valid character right after an invalid byte is still shown as a character.
        #expect(Frame(.ping, body: [0xFF, 0xEA, 0xB9, 0x80]).description == #"PING "\xFF김""#)
    }

    @Test func longBodiesAreCutAtWholeCharacters() {
        let long = Frame(.broadcast, body: Array(repeating: 0x61, count: 250))
        #expect(long.description == "BROADCAST \"" + String(repeating: "a", count: 200) + "\"… (50 more bytes)")
        #expect(long.description(limit: 1000) == "BROADCAST \"" + String(repeating: "a", count: 250) + "\"")
        // 3-byte characters with a limit of 4: the second character starts before the limit and is
        // shown whole; the third would start past it.
        #expect(Frame(.broadcast, text: "김김김").description(limit: 4) == #"BROADCAST "김김"… (3 more bytes)"#)
    }
}
