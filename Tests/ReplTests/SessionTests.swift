import SocketKit
import Testing

@testable import ReplKit

/// A session driven in-process, against sockets the test holds itself.
@Suite struct SessionTests {
    /// A session listening on a free port, and a client the test connected to it (accepted as l.1).
    func sessionWithClient() throws -> (Session, RecordingConsole, Socket) {
        let console = RecordingConsole()
        let session = Session(console: console)
        #expect(session.run("listen 0"))
        let port = try listeningPort(in: console.lines[0])
        let client = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
        try session.pump(
            until: { console.lines.contains { $0.hasPrefix("l.1: accepted from 127.0.0.1:") } },
            "the accept"
        )
        #expect(session.prompt == "labrepl(l.1)> ")
        console.clear()
        return (session, console, client)
    }

    @Test func receivedDataIsShownAsItArrivesAndSentDataAsSent() throws {
        let (session, console, client) = try sessionWithClient()
        defer { session.closeAll() }
        try client.sendAll("hi\u{1B}[31m\n")
        try session.pump(until: { !console.lines.isEmpty }, "the data")
        #expect(session.run(#"send yes\x00"#))
        #expect(try client.recv(100) == Array("yes\u{0}".utf8))
        #expect(console.lines == [#"l.1 ← b'hi\x1b[31m\n'"#, #"l.1 → b'yes\x00'"#])
    }

    @Test func linesModeJoinsPiecesAndHexdumpShowsBytes() throws {
        let (session, console, client) = try sessionWithClient()
        defer { session.closeAll() }
        #expect(session.run("set mode lines"))
        try client.sendAll("one\r\ntw")
        try session.pump(until: { console.lines.count == 2 }, "the first line")
        try client.sendAll("o\n")
        try session.pump(until: { console.lines.count == 3 }, "the second line")
        #expect(session.run("set hexdump on"))
        #expect(session.run("sendline ok"))
        #expect(
            console.lines == [
                "mode lines", "l.1 ← one", "l.1 ← two", "hexdump on",
                "l.1 → ok", "  0000  6f 6b 0a                                          |ok.|",
            ]
        )
    }

    @Test func recvAndExpectTakeUnreadData() throws {
        let (session, console, client) = try sessionWithClient()
        defer { session.closeAll() }
        try client.sendAll("My name is Kim, Younghee.")
        #expect(session.run("expect My name is"))
        #expect(session.run("expect Kim"))
        #expect(!session.run("expect Kim timeout 0.1"))
        #expect(console.errors == [#"expect "Kim": not seen from l.1 within 0.1 s (unread: b', Younghee.')"#])
        #expect(session.run("recv 3"))
        #expect(session.run("recv"))
        #expect(!session.run("recv timeout 0.1"))
        #expect(
            console.errors.last
                == "recv: not seen from l.1 within 0.1 s (nothing unread) — is it waiting for you to send first?"
        )
        client.close()
        #expect(session.run("recv timeout 5"))  // end of stream ends the wait, as recv returns b'' in Python
        #expect(console.lines.last == "l.1: the peer closed the connection (end of stream)")
        #expect(!session.run("expect more"))
        #expect(
            console.errors.last == #"expect "more": l.1 closed the connection without sending it (unread: nothing)"#
        )
    }

    @Test func halfCloseThenThePeerCloses() throws {
        let (session, console, client) = try sessionWithClient()
        defer { session.closeAll() }
        #expect(session.run("shutdown write"))
        #expect(try client.recv(10) == [])
        client.close()
        try session.pump(until: { console.lines.count == 2 }, "end of stream")
        #expect(
            console.lines == [
                "l.1: write side shut down — the peer reads end of stream; you can still receive",
                "l.1: the peer closed its side too — connection closed",
            ]
        )
        #expect(!session.run("send more"))
        #expect(console.errors == ["cannot send to l.1: it is closed — connect again, or use another peer"])
    }

    @Test func peersTableAndClosing() throws {
        let (session, console, client) = try sessionWithClient()
        defer { client.close() }
        try client.sendAll("abc")
        try session.pump(until: { !console.lines.isEmpty }, "the data")
        #expect(session.run("use l"))
        #expect(session.run("peers"))
        let table = console.lines.suffix(3).map { $0.replacing(/127\.0\.0\.1:\d{5}/, with: "127.0.0.1:PORT") }
        #expect(
            table == [
                "  NAME STATE                  ADDRESS         IN OUT",
                "* l    listening (1 accepted) 127.0.0.1:PORT",
                "  l.1  open                   127.0.0.1:PORT  3   0",
            ]
        )
        #expect(session.run("close l.1"))
        #expect(console.lines.last == "l.1: closed (3 bytes in, 0 out)")
        session.closeAll()
        #expect(console.lines.last == "closed l")
    }

    @Test func errorsSayWhatToTry() throws {
        let console = RecordingConsole()
        let session = Session(console: console)
        defer { session.closeAll() }
        // A port nobody listens on: bind one, note it, close it.
        let probe = try Socket.createServer(("127.0.0.1", 0))
        let port = try probe.getSockName().port
        probe.close()
        #expect(!session.run("connect 127.0.0.1 \(port)"))
        #expect(!session.run("send hi"))
        #expect(!session.run("conect 127.0.0.1 1"))
        #expect(!session.run("hello there"))
        #expect(!session.run("connect 127.0.0.1"))
        #expect(!session.run("connect 127.0.0.1 99999"))
        #expect(!session.run("use nobody"))
        #expect(!session.run("set mode telepathy"))
        #expect(
            console.errors == [
                "connect 127.0.0.1:\(port): connection refused — is the server running? start one with: make run LAB=3 PROG=echo-server SOLUTION=1 ARGS=\"--port \(port)\"",
                "no current peer — connect HOST PORT, listen PORT, or use NAME first",
                "unknown command \"conect\" — did you mean connect? (help lists every command)",
                "unknown command \"hello\" — to send that text, type: sendline hello there (help lists every command)",
                "usage: connect HOST PORT [as NAME] — for example: connect 127.0.0.1 65432 as echo",
                "PORT is the server's port: a whole number from 1 to 65535, not \"99999\"",
                "no peer named nobody — there are none yet",
                "usage: set mode raw|lines|frames — for example: set mode frames",
            ]
        )
        #expect(console.lines.isEmpty)
    }

    @Test func framesModeSpeaksLab5sCodec() throws {
        let (session, console, client) = try sessionWithClient()
        defer { session.closeAll() }
        #expect(!session.run("frame HELLO Kim"))
        #expect(console.errors == ["frame needs set mode frames; in raw mode, use send or sendhex for the bytes"])
        #expect(session.run("set mode frames"))
        #expect(session.run("frame hello Kim"))
        #expect(try client.recv(100) == [0, 1, 0, 0, 0, 3] + Array("Kim".utf8))
        try client.sendAll([0, 0x81, 0, 0, 0, 3] + Array("Kim".utf8) + [0, 0x82, 0, 0])  // WELCOME, half a DELIVER
        try session.pump(until: { console.lines.count == 3 }, "the WELCOME frame")
        client.close()
        try session.pump(until: { console.lines.count == 5 }, "end of stream")
        #expect(
            console.lines == [
                "mode frames", #"l.1 → HELLO "Kim""#, #"l.1 ← WELCOME "Kim""#,
                "l.1 ← (the stream ended 4 bytes into a frame)", "l.1: the peer closed the connection (end of stream)",
            ]
        )
    }

    /// In frames mode, `expect` sees what the screen shows: a frame's type, its body, or both; and it takes whole
    /// frames, however they were split on the way, so the next expect starts at a frame boundary.
    @Test func framesModeExpectMatchesFramesAsShownAndTakesThemWhole() throws {
        let (session, console, client) = try sessionWithClient()
        defer { session.closeAll() }
        #expect(session.run("set mode frames"))
        func frame(_ type: UInt8, _ body: String) -> [UInt8] {
            let bytes = Array(body.utf8)
            return [0, type, 0, 0, 0, UInt8(bytes.count)] + bytes
        }
        let welcome = frame(0x81, "Kim")
        let deliver = frame(0x82, "Lee\nhi Kim")
        let users = frame(0x84, "Kim\nLee")
        // WELCOME in two pieces, the header cut in the middle; then DELIVER and USERS in one piece.
        try client.sendAll(welcome[..<3])
        try session.pump(until: { session.currentUnread == 3 }, "the first piece")
        #expect(!session.run("expect WELCOME timeout 0.2"), "half a frame is not a frame")
        #expect(
            console.errors.last
                == #"expect "WELCOME": not seen from l.1 within 0.2 s (unread: 3 bytes of a frame still arriving)"#
        )
        try client.sendAll(welcome[3...])
        #expect(session.run("expect WELCOME timeout 5"), "\(console.errors)")
        try client.sendAll(deliver + users + frame(0xFF, "unknown-type"))
        #expect(session.run("expect Lee"), "\(console.errors)")  // DELIVER's body: the whole frame is taken
        #expect(session.run("expect users Kim"), "\(console.errors)")  // its type and its body
        #expect(session.run(#"expect ERROR "unknown"#), "\(console.errors)")  // as shown
        #expect(session.currentUnread == 0)

        try client.sendAll(frame(0x81, "Kim"))
        #expect(!session.run("expect DELIVER timeout 0.3"))
        #expect(console.errors.last == #"expect "DELIVER": not seen from l.1 within 0.3 s (unread: WELCOME "Kim")"#)
        #expect(session.run("recv"))
        #expect(session.currentUnread == 0)
        #expect(
            console.lines.filter { $0.hasPrefix("l.1 ← ") } == [
                #"l.1 ← WELCOME "Kim""#, #"l.1 ← DELIVER "Lee\nhi Kim""#, #"l.1 ← USERS "Kim\nLee""#,
                #"l.1 ← ERROR "unknown-type""#, #"l.1 ← WELCOME "Kim""#,
            ]
        )
    }

    @Test func recvInFramesModeTakesWholeFramesUpToN() throws {
        let (session, console, client) = try sessionWithClient()
        defer { session.closeAll() }
        #expect(session.run("set mode frames"))
        let ping: [UInt8] = [0, 0x05, 0, 0, 0, 4] + Array("ping".utf8)  // 10 bytes
        try client.sendAll(ping + ping + ping + [0, 0x05])
        try session.pump(until: { session.currentUnread == 32 }, "three frames and a piece")
        #expect(session.run("recv 15"))  // one frame fits in 15 bytes, two do not
        #expect(session.currentUnread == 22)
        #expect(session.run("recv 1"))  // at least one whole frame, even when it is larger than N
        #expect(session.currentUnread == 12)
        #expect(session.run("recv"))  // every whole frame; the piece stays
        #expect(session.currentUnread == 2)
        #expect(!session.run("recv timeout 0.2"), "a piece of a frame is nothing to take")
        #expect(
            console.errors.last?.hasSuffix("(unread: 2 bytes of a frame still arriving)") == true,
            "\(console.errors)"
        )
    }

    @Test func helpExplainsEachPartOfACommand() throws {
        let console = RecordingConsole()
        let session = Session(console: console)
        #expect(session.run("help tg connect"))
        #expect(console.lines.first == "tg connect URL [as USER] [named FIRSTNAME...]")
        #expect(console.lines.contains { $0.hasPrefix("  URL ") })
        #expect(!console.lines.contains { $0.hasPrefix("  METHOD ") }, "another part's placeholder")
        #expect(console.lines.last == "  example: tg connect http://127.0.0.1:8081 as 1001 named Kim")
        console.clear()
        #expect(session.run("help tg"))
        #expect(console.lines.first == "tg: be a Telegram user: write to the bot, see its replies as they come")
        #expect(
            console.lines.contains { $0.hasPrefix("  tg say TEXT...") && $0.hasSuffix("write to the bot, as the user") }
        )
        #expect(console.lines.last == "  help tg connect explains one part, with an example")
        console.clear()
        #expect(session.run("help set mode"))
        #expect(console.lines.first == "set mode raw|lines|frames")
        #expect(console.lines.contains { $0.contains("frames") && $0.contains("lab 5's frames") })
        console.clear()
        #expect(!session.run("help tg conect"))
        #expect(!session.run("help recv timeout"))
        #expect(!session.run("tg conect http://127.0.0.1:1"))
        #expect(
            console.errors == [
                #"tg has no part "conect" — its parts: connect, say, expect, requests, fault, disconnect"#,
                "recv has no parts — help recv explains all of it",
                "usage: tg  or  tg connect URL [as USER] [named FIRSTNAME...]  or  tg say TEXT...  or  tg expect TEXT... [timeout SECONDS]  or  tg requests [METHOD]  or  tg fault METHOD CODE [retry RETRY]  or  tg disconnect — for example: tg connect http://127.0.0.1:8081 as 1001 named Kim",
            ]
        )
        console.clear()
        #expect(!session.run("tg connect"))
        #expect(
            console.errors == [
                "usage: tg connect URL [as USER] [named FIRSTNAME...] — for example: tg connect http://127.0.0.1:8081 as 1001 named Kim"
            ]
        )
        #expect(
            session.completions(after: "help tg ", prefix: "")
                == .words(["connect", "say", "expect", "requests", "fault", "disconnect"])
        )
        #expect(session.completions(after: "help ", prefix: "t") == .words(["tg"]))
    }

    @Test func helpExplainsEachCommandWithAnExample() throws {
        let console = RecordingConsole()
        let session = Session(console: console)
        #expect(session.run("help"))
        #expect(console.lines.first == "Peers")
        #expect(console.lines.contains { $0.hasPrefix("  connect HOST PORT [as NAME]") })
        console.clear()
        #expect(session.run("help recv"))
        #expect(console.lines.first == "recv [N] [timeout SECONDS]")
        #expect(console.lines.last == "  example: recv timeout 2")
        #expect(!session.run("help nothing"))
    }
}

extension Session {
    /// How many received bytes no recv or expect has taken yet, on the current peer.
    var currentUnread: Int { current?.unread.count ?? -1 }
}
