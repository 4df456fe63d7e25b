import Foundation
import TestSupport
import Testing

@testable import TelegramSandbox

/// The sandbox's logic, in process, without HTTP.
@Suite("Sandbox core")
struct SandboxCoreTests {
    static let token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

    func sandbox(firstUpdateID: Int64? = nil) throws -> TelegramSandbox {
        try TelegramSandbox(SandboxConfiguration(token: Self.token, firstUpdateID: firstUpdateID))
    }

    func call(
        _ sandbox: TelegramSandbox,
        _ method: String,
        _ query: String = "",
        body: String? = nil,
        contentType: String = "application/json"
    ) async -> (status: Int, json: JSON?) {
        var headers: [String: String] = [:]
        if body != nil { headers["Content-Type"] = contentType }
        let response = await sandbox.handle(
            SandboxRequest(
                method: body == nil ? "GET" : "POST",
                path: "/bot\(Self.token)/\(method)",
                query: query,
                headers: headers,
                body: Data((body ?? "").utf8)
            )
        )
        return (response.status, JSON(parsing: response.body))
    }

    @Test("update ids start where configured, not at 1, and go up by one")
    func updateIDs() async throws {
        let sandbox = try sandbox(firstUpdateID: 7000)
        let first = await sandbox.userSays("a", userID: 1)
        let second = await sandbox.userSays("b", userID: 2)
        #expect(first.updateID == 7000)
        #expect(second.updateID == 7001)
        let random = try self.sandbox()
        #expect(await random.userSays("a", userID: 1).updateID != 1)
    }

    @Test("a user's /command gets a bot_command entity in UTF-16 units")
    func commandEntities() async throws {
        let sandbox = try sandbox()
        await sandbox.userSays("/start@sandbox_bot now", userID: 7)
        let answer = await call(sandbox, "getUpdates")
        let message = try #require(
            answer.json?["result"].flatMap { if case .array(let a) = $0 { a.first } else { nil } }?["message"]
        )
        #expect(message["entities"] == [["offset": 0, "length": 18, "type": "bot_command"]])
        #expect(Formatting.botCommands(in: "😀 /help me").map(\.offset) == [3])
        #expect(Formatting.botCommands(in: "a/b /x/y http://x /ok").map(\.offset) == [18])
    }

    @Test("a poll ended by setWebhook gets 409 'terminated by setWebhook request'")
    func setWebhookEndsPoll() async throws {
        let sandbox = try sandbox()
        let poll = Task { await call(sandbox, "getUpdates", "timeout=20") }
        try #require(await sandbox.waitForHeldPoll(timeout: 10) != nil)
        let set = await call(sandbox, "setWebhook", "url=https://example.org/hook")
        #expect(set.status == 200)
        let ended = try await withTimeLimit(5) { await poll.value }
        #expect(ended.status == 409)
        #expect(ended.json?["description"] == "Conflict: terminated by setWebhook request")
    }

    @Test("a long poll ends at once when the sandbox stops")
    func stopEndsPoll() async throws {
        let sandbox = try sandbox()
        _ = try await sandbox.start()
        let poll = Task { await call(sandbox, "getUpdates", "timeout=30") }
        try #require(await sandbox.waitForHeldPoll(timeout: 10) != nil)
        await sandbox.stop()
        let answer = try await withTimeLimit(5) { await poll.value }
        #expect(answer.status == 200)
    }

    @Test("a held getUpdates is reported, with its offset and timeout, from the moment it is held until it ends")
    func heldPollIsReported() async throws {
        let sandbox = try sandbox(firstUpdateID: 500)
        #expect(await sandbox.waitForHeldPoll(timeout: 0) == nil, "no poll yet")
        let waitedFor = Task { await sandbox.waitForHeldPoll(timeout: 20) }  // asked before the poll comes
        let poll = Task { await call(sandbox, "getUpdates", "offset=500&timeout=20") }
        let held = try #require(await withTimeLimit(10) { await waitedFor.value })
        #expect(held.offset == 500 && held.timeout == 20)
        #expect(await sandbox.waitForHeldPoll(timeout: 0) == held, "still held, so answered at once")
        #expect(
            await sandbox.handle(SandboxRequest(method: "GET", path: "/sandbox")).body.contains(
                Data(#""held_poll":{"offset":500,"timeout":20"#.utf8)
            )
        )

        await sandbox.userSays("wake up", userID: 1)
        #expect(try await withTimeLimit(5) { await poll.value }.status == 200)
        #expect(await sandbox.waitForHeldPoll(timeout: 0) == nil, "answered: no longer held")
        let started = ContinuousClock.now
        #expect(await sandbox.waitForHeldPoll(timeout: 0.3) == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(250), "waits for one, up to the timeout")
    }

    @Test("an error answer is recorded with its description; a user-side wait may be a fraction of a second")
    func recordedErrorsAndShortWaits() async throws {
        let sandbox = try sandbox()
        _ = await call(sandbox, "sendMessage", body: #"{"chat_id": 404, "text": "anyone?"}"#)
        let recorded = try #require(await sandbox.requests().last)
        #expect(recorded.status == 400 && recorded.description == "Bad Request: chat not found")
        let started = ContinuousClock.now
        #expect(await sandbox.botMessages(chatID: 404, timeout: 0.2).isEmpty)
        #expect(ContinuousClock.now - started >= .milliseconds(150), "a fraction of a second is a wait, not none")
    }

    @Test("integer parameters are read as the Bot API reads them")
    func integers() async throws {
        let parameters = Parameters([("offset", "12abc"), ("bad", "x")])
        #expect(parameters.integer("offset", default: 0) == 12)
        #expect(parameters.integer("bad", default: 9) == 0)
        #expect(parameters.integer("missing", default: 9) == 9)
        #expect(Parameters([("offset", "-3")]).integer("offset", default: 0) == -3)
    }

    @Test("JSON values that are not strings are read as their JSON text")
    func jsonParameters() async throws {
        let request = SandboxRequest(
            method: "POST",
            path: "/x",
            query: "a=1",
            headers: ["Content-Type": "application/json; charset=utf-8"],
            body: Data(#"{"chat_id": 42, "flag": true, "none": null, "markup": {"k": [1]}, "s": "t"}"#.utf8)
        )
        let pairs = try ParameterParsing.parameters(of: request)
        let values = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        #expect(
            values == ["a": "1", "chat_id": "42", "flag": "true", "none": "null", "markup": #"{"k":[1]}"#, "s": "t"]
        )
        let broken = SandboxRequest(
            method: "POST",
            path: "/x",
            headers: ["content-type": "application/json"],
            body: Data("{".utf8)
        )
        #expect(throws: ParameterParsing.Failure.badJSON) { try ParameterParsing.parameters(of: broken) }
    }

    @Test("multipart bodies, quoted boundaries and file parts")
    func multipart() throws {
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n5\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n"
            + "--XyZ--\r\n"
        let request = SandboxRequest(
            method: "POST",
            path: "/x",
            headers: ["Content-Type": "multipart/form-data; boundary=\"XyZ\""],
            body: Data(body.utf8)
        )
        let pairs = try ParameterParsing.parameters(of: request)
        #expect(pairs.map(\.0) == ["chat_id", "doc"])
        #expect(pairs.map(\.1) == ["5", "file body"])
        let truncated = SandboxRequest(
            method: "POST",
            path: "/x",
            headers: ["Content-Type": "multipart/form-data; boundary=XyZ"],
            body: Data("--XyZ\r\nno end".utf8)
        )
        #expect(throws: ParameterParsing.Failure.badMultipart) { try ParameterParsing.parameters(of: truncated) }
    }

    @Test("HTML, MarkdownV2 and Markdown become text and entities")
    func formatting() throws {
        let html = try Formatting.format("  <b>bold</b> &amp; <a href=\"https://x.org\">link</a> ", parseMode: "HTML")
        #expect(html.text == "bold & link")
        #expect(
            html.entities == [
                SandboxEntity(type: "bold", offset: 0, length: 4),
                SandboxEntity(type: "text_link", offset: 7, length: 4, url: "https://x.org"),
            ]
        )
        let v2 = try Formatting.format("*bold* _it_ \\. `co*de`", parseMode: "MarkdownV2")
        #expect(v2.text == "bold it . co*de")
        #expect(v2.entities.map(\.type) == ["bold", "italic", "code"])
        let v1 = try Formatting.format("*bold* 1.5!", parseMode: "Markdown")
        #expect(v1.text == "bold 1.5!")
        #expect(
            throws: Formatting.Failure(
                description: "can't parse entities: Unsupported start tag \"foo\" at byte offset 0"
            )
        ) {
            try Formatting.format("<foo>x</foo>", parseMode: "html")
        }
        // A user's name put into HTML unescaped, as TDLib reads it: the tag's name runs to a space or ">".
        #expect(
            throws: Formatting.Failure(
                description: "can't parse entities: Unsupported start tag \"3</b\" at byte offset 11"
            )
        ) {
            try Formatting.format("Hi, <b>Kim <3</b>!", parseMode: "HTML")
        }
        #expect(
            throws: Formatting.Failure(
                description: "can't parse entities: Unsupported start tag \"3\" at byte offset 4"
            )
        ) {
            try Formatting.format("Kim <3 you", parseMode: "HTML")
        }
        #expect(throws: Formatting.Failure(description: "can't parse entities: Unclosed start tag at byte offset 4")) {
            try Formatting.format("Kim <3", parseMode: "HTML")
        }
        let escaped = try Formatting.format("Hi, <b>Kim &lt;3</b>!", parseMode: "HTML")
        #expect(
            escaped.text == "Hi, Kim <3!" && escaped.entities == [SandboxEntity(type: "bold", offset: 4, length: 6)]
        )
        #expect(
            throws: Formatting.Failure(
                description: "can't parse entities: Can't find end of Bold entity at byte offset 3"
            )
        ) {
            try Formatting.format("ab *c", parseMode: "MarkdownV2")
        }
        #expect(
            throws: Formatting.Failure(
                description: "can't parse entities: Can't find end of the entity starting at byte offset 0"
            )
        ) {
            try Formatting.format("_open", parseMode: "Markdown")
        }
    }

    @Test("sendMessage answers whitespace-only text and blocked users as Telegram does")
    func sendMessageEdges() async throws {
        let sandbox = try sandbox()
        await sandbox.userSays("hi", userID: 9)
        let blank = await call(sandbox, "sendMessage", body: #"{"chat_id": 9, "text": "   "}"#)
        #expect(blank.status == 400)
        #expect(blank.json?["description"] == "Bad Request: message must be non-empty")
        await sandbox.setBlocked(9)
        let blocked = await call(sandbox, "sendMessage", body: #"{"chat_id": 9, "text": "hi"}"#)
        #expect(blocked.status == 403)
        #expect(blocked.json?["description"] == "Forbidden: bot was blocked by the user")
        let wrongType = await call(sandbox, "sendMessage", body: #"{"chat_id": 9, "text": "hi", "reply_markup": [1]}"#)
        #expect(wrongType.json?["description"] == "Bad Request: object expected as reply markup")
    }

    @Test("in-process waits for the bot's messages end at the timeout with nothing")
    func waitTimesOut() async throws {
        let sandbox = try sandbox()
        let start = ContinuousClock.now
        let none = await sandbox.botMessages(chatID: 3, timeout: 1)
        #expect(none.isEmpty)
        #expect(ContinuousClock.now - start >= .milliseconds(900))
    }

    @Test("configuration is checked")
    func configuration() {
        #expect(throws: SandboxError.self) { try TelegramSandbox(SandboxConfiguration(token: "nope")) }
        #expect(throws: SandboxError.self) { try TelegramSandbox(SandboxConfiguration(botUsername: "x")) }
        #expect(throws: SandboxError.self) { try TelegramSandbox.address(host: "not an address", port: 0) }
    }
}
