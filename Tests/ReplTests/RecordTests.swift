import Foundation
import LabSupport
import ProcessKit
import SocketKit
import TestSupport
import Testing

@testable import ReplKit

/// `record` and `save`: a conversation tried by hand becomes a script with an `expect` for what arrived — the ports
/// and ids of this one run left out — under the lab's folder.
@Suite struct RecordTests {
    /// A session whose `Labs/` is in a new folder with lab 3's and lab 5's handout folders.
    func recordingSession() throws -> (Session, RecordingConsole, kit: String) {
        let kit = try makeTemporaryDirectory()
        for lab in ["03-blocking-echo", "05-framed-protocol"] {
            try FileManager.default.createDirectory(atPath: "\(kit)/Labs/\(lab)", withIntermediateDirectories: true)
        }
        let console = RecordingConsole()
        let session = Session(console: console)
        session.kitDirectory = kit
        #expect(session.run("record"))
        return (session, console, kit)
    }

    func commands(in path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("#")
        }
    }

    @Test func aConversationWithAServerBecomesACheckWithoutItsPorts() throws {
        let (session, console, kit) = try recordingSession()
        defer {
            session.closeAll()
            try? FileManager.default.removeItem(atPath: kit)
        }
        let server = try Socket.createServer(("127.0.0.1", 0))
        defer { server.close() }
        let port = try server.getSockName().port
        #expect(session.run("connect 127.0.0.1 \(port) as echo"))
        let (connection, client) = try server.accept()
        defer { connection.close() }
        try connection.setTimeout(5)
        // What arrives names this run's ports: the client's, and the server's own.
        try connection.sendAll("welcome, 127.0.0.1:\(client.port), to port \(port)!\n")
        #expect(session.run("expect welcome"))
        #expect(session.run("sendline hello"))
        #expect(try connection.recv(100) == Array("hello\n".utf8))
        try connection.sendAll("hello\n")
        #expect(session.run(#"expect hello\n"#))
        #expect(session.run(#"send \x00\x01"#))
        #expect(try connection.recv(100) == [0, 1])
        try connection.sendAll(" spaced \r\n")
        #expect(session.run("expect spaced"))
        #expect(session.run("close echo"))

        // No lab program listens there: save asks which it was.
        #expect(!session.run("save echo-hello"))
        #expect(console.errors.last?.hasSuffix("say which: save CHECK for lab 3 echo-server") == true)
        #expect(!session.run("save ../x for lab 3 echo-server"))
        #expect(
            console.errors.last
                == #"save: "../x" cannot be a check's name — use letters, digits, - _ and ., as in echo-twice"#
        )
        #expect(session.run("save echo-hello for lab 3 echo-server"), "\(console.errors)")
        let path = "\(kit)/Labs/03-blocking-echo/my-checks/echo-hello.repl"
        #expect(
            console.lines.last?.hasPrefix(
                "saved Labs/03-blocking-echo/my-checks/echo-hello.repl: 8 commands, 4 of them expect"
            ) == true
        )
        #expect(
            try commands(in: path) == [
                "connect 127.0.0.1 \(lecturePort) as echo", "expect welcome, 127.0.0.1:", "expect \", to port \"",
                "sendline hello", "expect hello", "sendhex 00 01", #"expect " spaced ""#, "close echo",
            ]
        )
        let header = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter {
            $0.hasPrefix("#")
        }
        #expect(header.contains("# needs: make run LAB=3 PROG=echo-server"))
    }

    @Test func aConversationWithAClientListensAndAccepts() throws {
        let (session, console, kit) = try recordingSession()
        defer {
            session.closeAll()
            try? FileManager.default.removeItem(atPath: kit)
        }
        #expect(session.run("listen 0 as srv"))
        let port = try listeningPort(in: console.lines.last ?? "")
        let first = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
        defer { first.close() }
        try first.sendAll("ping\n")
        #expect(session.run("expect ping"))
        #expect(session.run(#"send pong\n"#))
        let second = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
        defer { second.close() }
        #expect(session.run("accept srv"))
        #expect(session.run("sendline to the second"))
        #expect(session.run("use srv.1"))
        #expect(session.run("sendline to the first again"))
        #expect(session.run("save from-client for lab 3 echo-client"))
        let path = "\(kit)/Labs/03-blocking-echo/my-checks/from-client.repl"
        #expect(
            try commands(in: path) == [
                "listen \(lecturePort) as srv", "accept srv timeout 30", "expect ping", "sendline pong",
                "accept srv timeout 30",
                "sendline to the second", "use srv.1", "sendline to the first again",
            ]
        )
        #expect(
            try String(contentsOfFile: path, encoding: .utf8).contains("\n# then: make run LAB=3 PROG=echo-client\n")
        )
    }

    /// `listen HOST PORT`: labrepl plays an IPv6 server (lab 2 step 7's replay does), a client reaches it over IPv6,
    /// and the saved check listens there again.
    @Test func aListenerOnIPv6IsSavedWithItsHost() throws {
        let (session, console, kit) = try recordingSession()
        defer {
            session.closeAll()
            try? FileManager.default.removeItem(atPath: kit)
        }
        #expect(session.run("listen ::1 0 as six"))
        let line = console.lines.last ?? ""
        #expect(line.hasPrefix("six: listening on [::1]:"), "\(line)")
        let port = try listeningPort(in: line)
        let client = try Socket.createConnection(("::1", port), timeout: 5)
        defer { client.close() }
        #expect(client.family == .inet6)
        try client.sendAll("ping\n")
        #expect(session.run("expect ping"))
        #expect(session.run("save over-ipv6 for lab 3 echo-client"))
        let path = "\(kit)/Labs/03-blocking-echo/my-checks/over-ipv6.repl"
        #expect(try commands(in: path) == ["listen ::1 \(lecturePort) as six", "accept six timeout 30", "expect ping"])
    }

    @Test func framesModeIsSavedAsFramesAndExpectedByTypeAndBody() throws {
        let (session, _, kit) = try recordingSession()
        defer {
            session.closeAll()
            try? FileManager.default.removeItem(atPath: kit)
        }
        let server = try Socket.createServer(("127.0.0.1", 0))
        defer { server.close() }
        let port = try server.getSockName().port
        #expect(session.run("connect 127.0.0.1 \(port) as kim"))
        #expect(session.run("set mode frames"))
        let (router, client) = try server.accept()
        defer { router.close() }
        #expect(session.run("frame HELLO Kim"))
        func frame(_ type: UInt16, _ body: String) -> [UInt8] {
            let bytes = Array(body.utf8)
            let length = UInt32(bytes.count)
            return [UInt8(type >> 8), UInt8(type & 0xFF)] + (0..<4).map { UInt8((length >> (24 - 8 * $0)) & 0xFF) }
                + bytes
        }
        // WELCOME arrives in two pieces, the second after the next command; DELIVER names the client's port.
        let welcome = frame(0x81, "Kim")
        try router.sendAll(welcome.prefix(4))
        _ = session.pump(timeout: .milliseconds(200))
        #expect(session.run("frame LIST"))
        try router.sendAll(welcome.dropFirst(4) + frame(0x82, "Lee\nhi from \(client.port)"))
        #expect(session.run("expect DELIVER"))
        #expect(session.run("save chat for lab 5 client"))
        #expect(
            try commands(in: "\(kit)/Labs/05-framed-protocol/my-checks/chat.repl") == [
                "connect 127.0.0.1 \(lecturePort) as kim", "set mode frames", "frame HELLO Kim", "frame LIST",
                "expect WELCOME Kim",
                #"expect DELIVER Lee\nhi from"#,
            ]
        )
    }

    /// A bot (Python's urllib) that answers every text with the message's id in it: an id that must not get into
    /// the check, since another run has other ids.
    static let idBot = """
        import json, sys, urllib.request
        base, token = sys.argv[1], sys.argv[2]
        def call(method, **params):
            request = urllib.request.Request(f"{base}/bot{token}/{method}", data=json.dumps(params).encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.load(answer)["result"]
        offset = 0
        while True:
            for update in call("getUpdates", offset=offset, timeout=10):
                message = update["message"]
                call("sendMessage", chat_id=message["chat"]["id"], text=f"got {message['text']} as message {message['message_id']}")
                offset = update["update_id"] + 1
        """

    @Test(.requires(tool: "python3")) func aTelegramConversationIsSavedWithoutItsIdsAndReplays() throws {
        let (session, console, kit) = try recordingSession()
        defer {
            session.closeAll()
            try? FileManager.default.removeItem(atPath: kit)
        }
        try FileManager.default.createDirectory(
            atPath: "\(kit)/Labs/06-telegram-bot",
            withIntermediateDirectories: true
        )
        let (sandbox, url, token) = try startTelegramSandbox(["--bot-username", "record_bot"])
        defer { sandbox.stop() }
        let bot = try ChildProcess("python3", ["-c", Self.idBot, url.absoluteString, token], timeLimit: .seconds(60))
        defer { bot.stop() }
        #expect(session.run("tg connect \(url.absoluteString) as 7 named Ann"))
        #expect(session.run("tg say hello"))
        #expect(session.run("tg expect got hello timeout 10"), "\(console.errors)")
        #expect(session.run("tg say again"))
        #expect(session.run("tg expect got again timeout 10"), "\(console.errors)")
        #expect(session.run("save chat for lab 6 telegram-bot"), "\(console.errors)")
        let path = "\(kit)/Labs/06-telegram-bot/my-checks/chat.repl"
        #expect(
            try commands(in: path) == [
                "tg connect http://127.0.0.1:8081 as 7 named Ann", "tg say hello", "tg expect got hello as message",
                "tg say again", "tg expect got again as message",
            ]
        )
        // Replayed against the same sandbox, where the messages now have other ids: --map-port finds it.
        let replay = try runProgram("labrepl", ["--script", path, "--map-port", "8081=\(url.port!)"])
        #expect(replay.termination == .exited(0), "\(replay.standardError)")
        #expect(replay.standardOutput.contains("@record_bot ← got again as message 7"), "\(replay.standardOutput)")
    }

    @Test func savingNeedsARecordingAndAConnection() throws {
        let console = RecordingConsole()
        let session = Session(console: console)
        #expect(!session.run("save x"))
        #expect(
            console.errors.last
                == "save: nothing is being recorded — type record first, then talk to your program, then save x"
        )
        #expect(session.run("record"))
        #expect(!session.run("save x for lab 3 echo-server"))
        #expect(
            console.errors.last
                == "save: nothing recorded yet — connect (or listen, or tg connect) and talk to your program first"
        )
    }

    @Test func aBigSendGoesToAFileBesideTheScript() throws {
        let (session, _, kit) = try recordingSession()
        defer {
            session.closeAll()
            try? FileManager.default.removeItem(atPath: kit)
        }
        let server = try Socket.createServer(("127.0.0.1", 0))
        defer { server.close() }
        #expect(session.run("connect 127.0.0.1 \(try server.getSockName().port)"))
        let (peer, _) = try server.accept()
        defer { peer.close() }
        let file = kit + "/big.txt"
        try String(repeating: "0123456789abcdef", count: 200).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(session.run("sendfile \(file)"))
        #expect(session.run("save big for lab 3 echo-server"))
        let folder = "\(kit)/Labs/03-blocking-echo/my-checks"
        #expect(
            try commands(in: "\(folder)/big.repl") == [
                "connect 127.0.0.1 \(lecturePort) as c", "sendfile Labs/03-blocking-echo/my-checks/big-send1.bin",
            ]
        )
        #expect(
            FileManager.default.contents(atPath: "\(folder)/big-send1.bin")
                == FileManager.default.contents(atPath: file)
        )
    }
}
