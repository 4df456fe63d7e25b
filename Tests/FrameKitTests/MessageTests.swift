import FrameKit
import Testing

@Suite struct MessageTests {
    static let messages: [Message] = [
        .hello("Kim"), .hello("김영희"), .welcome("Kim"),
        .send(to: "Lee", text: "hi\nthere"), .send(to: "Lee", text: ""),
        .deliver(from: "Hong", text: "hi"), .broadcast("all of you"), .broadcast(""),
        .list, .users(["Hong", "Kim", "Lee"]), .users(["Kim"]), .users([]),
        .ping([0x00, 0xFF, 0x0A]), .pong([]), .bye,
        .error(code: .timeout, message: "no whole frame in 5 s"), .error(code: .badName, message: "a\nb"),
        .unknown(Frame(FrameType(0x0042), body: [0x01])),
    ]

    @Test(arguments: messages)
    func roundTripsThroughFrameAndBytes(message: Message) throws {
        #expect(try Message(message.frame) == message)
        var decoder = FrameDecoder()
        decoder.feed(message.frame.encoded())
        let frame = try #require(try decoder.next())
        #expect(try Message(frame) == message)
    }

    @Test func framesCarryTheBodiesTheSpecSays() {
        #expect(Message.hello("Kim").frame == Frame(.hello, text: "Kim"))
        #expect(Message.welcome("Kim").frame == Frame(.welcome, text: "Kim"))
        #expect(Message.send(to: "Lee", text: "hi").frame == Frame(.send, text: "Lee\nhi"))
        #expect(Message.deliver(from: "Hong", text: "hi").frame == Frame(.deliver, text: "Hong\nhi"))
        #expect(Message.broadcast("hi").frame == Frame(.broadcast, text: "hi"))
        #expect(Message.list.frame == Frame(.list))
        #expect(Message.users(["Hong", "Kim"]).frame == Frame(.users, text: "Hong\nKim"))
        #expect(Message.ping([1, 2]).frame == Frame(.ping, body: [1, 2]))
        #expect(Message.pong([1, 2]).frame == Frame(.pong, body: [1, 2]))
        #expect(Message.bye.frame == Frame(.bye))
        #expect(
            Message.error(code: .noSuchUser, message: "no Lee").frame == Frame(.error, text: "no-such-user\nno Lee")
        )
        #expect(
            Message.deliver(from: "Hong", text: "hi").frame.encoded()
                == [0x00, 0x82, 0x00, 0x00, 0x00, 0x07, 0x48, 0x6F, 0x6E, 0x67, 0x0A, 0x68, 0x69]
        )
    }

    @Test func errorCodesAreTheExactWireStrings() {
        #expect(
            ErrorCode.allCases.map(\.rawValue) == [
                "bad-name", "name-taken", "not-logged-in", "no-such-user", "unknown-type", "too-large", "timeout",
            ]
        )
    }

    @Test func goodNames() throws {
        for name in ["K", String(repeating: "a", count: 32), String(repeating: "김", count: 10), "Kim, Younghee"] {
            #expect(try Message(Frame(.hello, text: name)) == .hello(name))
            try Message.validateName(name)
        }
    }

    @Test func badNamesAreBadName() {
        let cases: [([UInt8], MessageError.NameProblem)] = [
            ([], .empty),
            (Array(repeating: 0x61, count: 33), .tooLong(byteCount: 33)),
            (Array(String(repeating: "김", count: 11).utf8), .tooLong(byteCount: 33)),
            (Array("Kim\nLee".utf8), .containsNewline),
            (Array("Kim\n".utf8), .containsNewline),
            ([0x4B, 0xFF], .invalidUTF8),
            ([0xED, 0xA0, 0x80], .invalidUTF8),
        ]
        for (body, problem) in cases {
            #expect(throws: MessageError.badName(problem)) { try Message(Frame(.hello, body: body)) }
            #expect(MessageError.badName(problem).code == .badName)
        }
        #expect(throws: MessageError.badName(.tooLong(byteCount: 33))) {
            try Message.validateName(String(repeating: "x", count: 33))
        }
    }

    @Test func twoPartBodiesSplitAtTheFirstNewline() throws {
        #expect(try Message(Frame(.send, text: "Lee\nline 1\nline 2")) == .send(to: "Lee", text: "line 1\nline 2"))
        #expect(try Message(Frame(.send, text: "\nhi")) == .send(to: "", text: "hi"))
        #expect(try Message(Frame(.deliver, text: "Hong\n")) == .deliver(from: "Hong", text: ""))
        #expect(try Message(Frame(.error, text: "too-large\n")) == .error(code: .tooLarge, message: ""))
    }

    @Test func missingNewlinesAndUnknownCodes() {
        #expect(throws: MessageError.missingNewline(.send)) { try Message(Frame(.send, text: "Lee")) }
        #expect(throws: MessageError.missingNewline(.deliver)) { try Message(Frame(.deliver, text: "hi")) }
        #expect(throws: MessageError.missingNewline(.error)) { try Message(Frame(.error, text: "timeout")) }
        #expect(throws: MessageError.unknownErrorCode("oops")) { try Message(Frame(.error, text: "oops\nwhat")) }
        #expect(MessageError.missingNewline(.send).code == .noSuchUser)
        #expect(MessageError.missingNewline(.deliver).code == .unknownType)
        #expect(MessageError.unknownErrorCode("oops").code == .unknownType)
    }

    @Test func usersAreSplitOnNewlineBytes() throws {
        #expect(try Message(Frame(.users)) == .users([]))
        #expect(try Message(Frame(.users, text: "Kim")) == .users(["Kim"]))
        // "\r\n" is one Character in Swift; the split must still see the newline.
        #expect(try Message(Frame(.users, text: "a\r\nb")) == .users(["a\r", "b"]))
    }

    @Test func unknownTypesAndIgnoredBodies() throws {
        let frame = Frame(FrameType(0x0007), text: "?")
        #expect(try Message(frame) == .unknown(frame))
        #expect(try Message(Frame(.list, text: "ignored")) == .list)
        #expect(try Message(Frame(.bye, text: "ignored")) == .bye)
        #expect(try Message(Frame(.broadcast, body: [0x41, 0xFF])) == .broadcast("A\u{FFFD}"))
    }

    @Test func printsAsItsFrame() {
        #expect(Message.deliver(from: "Hong", text: "hi").description == #"DELIVER "Hong\nhi""#)
        #expect(Message.list.description == "LIST")
    }
}
