import Testing

@testable import ReplKit

/// The usage lines are the single declaration of each command's arguments: matching and completion read them.
@Suite struct UsageTests {
    func match(_ usage: String, _ line: String) -> Arguments? {
        let words = Word.split(line)
        return Usage(usage).match(words.dropFirst(), in: line)
    }

    @Test func optionalPartsAndTheRestOfTheLine() throws {
        let expect = try #require(match("expect TEXT... [timeout SECONDS]", "expect My name is  timeout 2"))
        #expect(expect["TEXT"] == "My name is")
        #expect(expect["SECONDS"] == "2")
        let plain = try #require(match("expect TEXT... [timeout SECONDS]", "expect timeout"))
        #expect(plain["TEXT"] == "timeout")
        #expect(plain["SECONDS"] == nil)
    }

    @Test func textKeepsItsSpacingAndQuotesKeepTheEnds() throws {
        #expect(match("send TEXT...", "send  a  b ")?["TEXT"] == "a  b")
        #expect(match("send TEXT...", #"send "  padded  ""#)?["TEXT"] == "  padded  ")
        #expect(match("send TEXT...", #"send He said "hi""#)?["TEXT"] == #"He said "hi""#)
        #expect(match("send TEXT...", #"send "unclosed"#)?["TEXT"] == #""unclosed"#)
    }

    @Test func keywordsAreNeverTakenForValues() throws {
        let bare = try #require(match("shutdown [PEER] write", "shutdown write"))
        #expect(bare["PEER"] == nil)
        #expect(match("shutdown [PEER] write", "shutdown l.1 write")?["PEER"] == "l.1")
        #expect(match("recv [N] [timeout SECONDS]", "recv timeout 3")?["SECONDS"] == "3")
        #expect(match("recv [N] [timeout SECONDS]", "recv 5")?["N"] == "5")
        #expect(match("connect HOST PORT [as NAME]", "connect localhost") == nil)
        #expect(match("set crlf on|off", "set crlf maybe") == nil)
    }

    @Test func everyExampleFitsItsCommandsUsage() {
        let session = Session(console: RecordingConsole())
        for command in session.commands {
            for example in command.examples {
                let words = Word.split(example)
                #expect(words.first?.text == command.name, "\(example)")
                #expect(
                    command.usages.contains { $0.match(words.dropFirst(), in: example) != nil },
                    "help's example \(example) does not fit \(command.usages)"
                )
            }
        }
    }

    @Test func completionOffersWhatTheUsageAllowsNext() throws {
        let console = RecordingConsole()
        let session = Session(console: console)
        #expect(
            session.completions(after: "", prefix: "se") == .words(["send", "sendline", "sendhex", "sendfile", "set"])
        )
        #expect(session.completions(after: "set ", prefix: "") == .words(["crlf", "hexdump", "mode"]))
        #expect(session.completions(after: "set mode ", prefix: "") == .words(["raw", "lines", "frames"]))
        #expect(session.completions(after: "connect 127.0.0.1 80 ", prefix: "") == .words(["as"]))
        #expect(session.completions(after: "recv ", prefix: "t") == .words(["timeout"]))
        #expect(session.completions(after: "expect some text ", prefix: "ti") == .words(["timeout"]))
        #expect(session.completions(after: "sendfile ", prefix: "") == .files)
        #expect(session.completions(after: "help ", prefix: "sh") == .words(["shutdown"]))
        #expect(session.completions(after: "frame ", prefix: "HE") == .words(["HELLO"]))

        #expect(session.run("listen 0 as hub"))
        #expect(session.completions(after: "use ", prefix: "h") == .words(["hub"]))
        #expect(session.completions(after: "shutdown ", prefix: "") == .words(["hub", "write"]))
        session.closeAll()
    }
}
