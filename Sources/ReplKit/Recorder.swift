import Foundation
import LabSupport

/// What `record` keeps for `save`: the session's actions and what arrived, as data. `save` turns them into a
/// labrepl script — the actions as commands, and an `expect` for everything that arrived — that `make check` runs
/// as a check of the student's own.
///
/// What changes from one run to the next never gets into the script: the ports (a `connect` or `listen` names the
/// lecture's 65432, which `labrepl --map-port` points elsewhere; a `tg connect` the sandbox's default address),
/// and in what arrived, any number that was a port of the conversation or a Telegram message or update id.
final class Recorder {
    enum Entry {
        case connected(peer: String, host: String)
        case connectedUnix(peer: String, path: String)
        /// `host`: nil for 127.0.0.1, the lecture's, which a script need not say.
        case listening(peer: String, host: String?)
        case listeningUnix(peer: String, path: String)
        case accepted(peer: String, listener: String)
        case sent(peer: String, bytes: [UInt8])
        case arrived(peer: String, bytes: [UInt8])
        /// `set mode NAME`: how what arrives afterwards is cut into messages, and so expected.
        case mode(String)
        case shutDown(peer: String)
        case closed(peer: String)
        case telegramConnected(user: Int64, firstName: String?)
        case said(String)
        /// A `tg` command kept as typed: `tg fault sendMessage 429 retry 2`, `tg disconnect`.
        case telegramLine(String)
        case botReplied(String)
    }

    /// Who the lab program at the other end of a conversation is to the check.
    enum Role: Equatable {
        /// It listens: the check connects to it (started first, with a port of its own).
        case server
        /// It connects: the check listens for it (started once the script listens, with that port).
        case client
        /// Lab 6's bot, which talks to a telegram-sandbox.
        case bot
    }

    /// The lecture's port: every `connect` and `listen` of a saved check names it.
    static let lecturePort = LabSupport.lecturePort
    /// Where `make sandbox` serves: every `tg connect` of a saved check names it.
    static let sandboxAddress = "http://127.0.0.1:8081"

    private(set) var entries: [Entry] = []
    /// Numbers that differ from run to run: never part of an `expect`.
    private(set) var portNumbers: Set<String> = []
    private(set) var telegramIDs: Set<String> = []
    /// The lab program each peer talked to, where labrepl could tell (`@bot` for the Telegram bot).
    private(set) var programs: [(peer: String, program: LabProgram, role: Role)] = []
    let started = Date()

    var isEmpty: Bool { entries.isEmpty }

    func append(_ entry: Entry) { entries.append(entry) }

    func notePorts(_ ports: Int...) {
        for port in ports where port > 0 { portNumbers.insert(String(port)) }
    }

    func noteTelegramIDs(_ ids: [Int64]) {
        for id in ids { telegramIDs.insert(String(id)) }
    }

    func note(_ program: LabProgram?, of peer: String, as role: Role) {
        guard let program, !programs.contains(where: { $0.peer == peer }) else { return }
        programs.append((peer, program, role))
    }

    // MARK: The script

    /// The recording as script lines, and the files that big sends need (path → bytes). Big payloads go to files
    /// named after `filePrefix` (`Labs/03-…/my-checks/echo-send3.bin`).
    func scriptLines(framings: [any Framing], filePrefix: String) -> (lines: [String], files: [String: [UInt8]]) {
        var writer = ScriptWriter(recorder: self, framings: framings, filePrefix: filePrefix)
        for entry in entries { writer.add(entry) }
        writer.flushArrivals()
        return (writer.lines, writer.files)
    }
}

/// Writes a recording as labrepl commands, with `use` wherever the next command concerns another peer than the
/// one the script has current at that point.
private struct ScriptWriter {
    let recorder: Recorder
    let framings: [any Framing]
    let filePrefix: String
    private(set) var lines: [String] = []
    private(set) var files: [String: [UInt8]] = [:]

    /// The script's name for each recorded peer: an accepted connection is named by the order the script accepts
    /// it in, which may differ from the session's (connections accepted before `record` are not in the script).
    private var names: [String: String] = [:]
    private var acceptedCount: [String: Int] = [:]
    /// The peer the script has current; nil when it cannot be told (after a listen, a close).
    private var current: String?
    private var framing: any Framing
    /// What arrived since the last command, per peer, in the order the peers first sent it.
    private var arrivals: [(peer: String, bytes: [UInt8])] = []
    /// Bytes of a frame still arriving when the next command came (frames mode), per peer.
    private var partial: [String: [UInt8]] = [:]
    private var replies: [String] = []
    private var sends = 0

    init(recorder: Recorder, framings: [any Framing], filePrefix: String) {
        self.recorder = recorder
        self.framings = framings
        self.filePrefix = filePrefix
        framing = framings[0]
    }

    mutating func add(_ entry: Recorder.Entry) {
        switch entry {
        case .arrived(let peer, let bytes):
            if let index = arrivals.firstIndex(where: { $0.peer == peer }) {
                arrivals[index].bytes += bytes
            } else {
                arrivals.append((peer, bytes))
            }
            return
        case .botReplied(let text):
            replies.append(text)
            return
        default:
            flushArrivals()
        }
        switch entry {
        case .connected(let peer, let host):
            names[peer] = peer
            lines.append("connect \(host) \(Recorder.lecturePort) as \(peer)")
            current = peer
        case .connectedUnix(let peer, let path):
            names[peer] = peer
            lines.append("connect unix:\(path) as \(peer)")
            current = peer
        case .listening(let peer, let host):
            names[peer] = peer
            lines.append("listen \(host.map { $0 + " " } ?? "")\(Recorder.lecturePort) as \(peer)")
            current = current == nil && names.count == 1 ? peer : nil
        case .listeningUnix(let peer, let path):
            names[peer] = peer
            lines.append("listen unix:\(path) as \(peer)")
            current = current == nil && names.count == 1 ? peer : nil
        case .accepted(let peer, let listener):
            let listenerName = names[listener] ?? listener
            let number = acceptedCount[listener, default: 0] + 1
            acceptedCount[listener] = number
            names[peer] = "\(listenerName).\(number)"
            // Long enough to start a client by hand once the script waits; make check starts it at once.
            lines.append("accept \(listenerName) timeout 30")
            current = names[peer]
        case .sent(let peer, let bytes):
            use(peer)
            lines += sendCommands(bytes)
        case .mode(let name):
            lines.append("set mode \(name)")
            if let chosen = framings.first(where: { $0.name == name }) { framing = chosen }
            partial = [:]
        case .shutDown(let peer):
            lines.append("shutdown \(names[peer] ?? peer) write")
        case .closed(let peer):
            lines.append("close \(names[peer] ?? peer)")
            if current == names[peer] { current = nil }
        case .telegramConnected(let user, let firstName):
            lines.append("tg connect \(Recorder.sandboxAddress) as \(user)" + (firstName.map { " named \($0)" } ?? ""))
        case .said(let text):
            lines.append("tg say \(text)")
        case .telegramLine(let line):
            lines.append(line)
        case .arrived, .botReplied:
            break
        }
    }

    private mutating func use(_ peer: String) {
        let name = names[peer] ?? peer
        if current != name { lines.append("use \(name)") }
        current = name
    }

    // MARK: What arrived

    mutating func flushArrivals() {
        for (peer, bytes) in arrivals {
            let expects = framing.wholeMessages(in: []) == nil ? streamExpects(bytes) : frameExpects(peer, bytes)
            guard !expects.isEmpty else { continue }
            use(peer)
            lines += expects
        }
        arrivals = []
        for reply in replies {
            // tg expect finds its text within one reply, as typed: the longest line piece without an id.
            let parts = reply.split(separator: "\n").flatMap {
                pieces(of: Array($0.utf8), avoiding: recorder.telegramIDs)
            }
            // A leading double quote would read as quoting the text: what follows it is as telling.
            let trimmed = parts.map {
                String(decoding: $0, as: UTF8.self).trimmingCharacters(
                    in: .whitespaces.union(CharacterSet(charactersIn: "\""))
                )
            }
            guard let best = trimmed.max(by: { $0.count < $1.count }), !best.isEmpty else {
                lines.append("# the bot replied \(quotedComment(reply)) here: nothing in it is the same each time")
                continue
            }
            lines.append("tg expect " + String(best.prefix(120)))
        }
        replies = []
    }

    /// A byte stream (raw and lines modes): an `expect` per line, each cut where a port number stood; a long
    /// stretch is represented by its first and last lines.
    private func streamExpects(_ bytes: [UInt8]) -> [String] {
        var found = bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map { line in
            line.last == 0x0D ? Array(line.dropLast()) : Array(line)
        }.filter { !$0.isEmpty }
        var note: [String] = []
        if found.count > 32 || bytes.count > 4096 {
            note = ["# \(bytes.count) bytes arrived here: the check waits for the first and the last line of them"]
            found = [found.first, found.count > 1 ? found.last : nil].compactMap { $0 }
        }
        return note
            + found.flatMap { line -> [String] in
                let kept = pieces(of: Array(line.prefix(160)), avoiding: recorder.portNumbers)
                let useful = kept.filter { $0.count >= 2 || kept.count == 1 }
                return useful.map { "expect " + scriptText($0) }
            }
    }

    /// Frames mode: an `expect TYPE BODY` per whole frame, the body cut to its longest piece without a port.
    private mutating func frameExpects(_ peer: String, _ bytes: [UInt8]) -> [String] {
        let stream = partial[peer, default: []] + bytes
        let messages = framing.wholeMessages(in: stream) ?? []
        let used = messages.reduce(0) { $0 + $1.bytes.count }
        partial[peer] = Array(stream[used...])
        return messages.map { message in
            guard let (type, body) = framing.expectParts(of: message) else {
                return "expect " + scriptText(Array(message.bytes.prefix(160)))
            }
            // expect matches a frame whose body contains the text: spaces at its ends add nothing.
            let best = pieces(of: body, avoiding: recorder.portNumbers).max { $0.count < $1.count } ?? []
            let trimmed = Array(best.prefix(160).drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed())
            return "expect \(type)" + (trimmed.isEmpty ? "" : " " + scriptText(trimmed, quoting: false))
        }
    }

    /// `bytes` cut where one of `numbers` stands as a whole number (not part of a longer one); the pieces around.
    private func pieces(of bytes: [UInt8], avoiding numbers: Set<String>) -> [[UInt8]] {
        guard !numbers.isEmpty else { return [bytes] }
        var pieces: [[UInt8]] = []
        var start = 0
        var index = 0
        let isDigit = { (byte: UInt8) in (0x30...0x39).contains(byte) }
        while index < bytes.count {
            guard isDigit(bytes[index]) else {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count && isDigit(bytes[end]) { end += 1 }
            if numbers.contains(String(decoding: bytes[index..<end], as: UTF8.self)) {
                if index > start { pieces.append(Array(bytes[start..<index])) }
                start = end
            }
            index = end
        }
        if start < bytes.count { pieces.append(Array(bytes[start...])) }
        return pieces
    }

    // MARK: What was sent

    /// `frame HELLO Kim` in frames mode; `sendline` for one line; `send` for text; `sendhex` for bytes; `sendfile`
    /// (with the bytes in a file beside the script) for more than a screenful.
    private mutating func sendCommands(_ bytes: [UInt8]) -> [String] {
        if let frames = framing.frameCommands(sending: bytes) { return frames }
        sends += 1
        if bytes.count > 1024 {
            let path = "\(filePrefix)-send\(sends).bin"
            files[path] = bytes
            return ["sendfile \(path)"]
        }
        let printable = bytes.filter { (0x20..<0x7F).contains($0) || $0 >= 0x80 || [0x0A, 0x0D, 0x09].contains($0) }
            .count
        guard printable * 10 >= bytes.count * 9 else {
            return ["sendhex " + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")]
        }
        if bytes.last == 0x0A, bytes.dropLast().last != 0x0D, !bytes.dropLast().contains(0x0A) {
            let line = Array(bytes.dropLast())
            return [line.isEmpty ? "sendline" : "sendline " + scriptText(line)]
        }
        return ["send " + scriptText(bytes)]
    }
}

extension Framing {
    /// `frame` commands that send exactly `bytes`, in a framing with frames; nil otherwise.
    func frameCommands(sending bytes: [UInt8]) -> [String]? {
        guard let messages = wholeMessages(in: bytes), !messages.isEmpty,
            messages.reduce(0, { $0 + $1.bytes.count }) == bytes.count
        else { return nil }
        let commands = messages.compactMap { message in
            expectParts(of: message).map { type, body in
                "frame \(type)" + (body.isEmpty ? "" : " " + scriptText(body, quoting: false))
            }
        }
        return commands.count == messages.count ? commands : nil
    }
}

/// Bytes as a command's TEXT: escapes for what cannot be typed (`\n`, `\x00`, `\"`). Text that starts or ends with
/// a space, or holds the word timeout (which expect would take as its option), goes in double quotes — or, where the
/// text follows another word (`frame HELLO  Kim`) and quotes cannot keep it whole, has those spaces as `\x20`.
func scriptText(_ bytes: [UInt8], quoting: Bool = true) -> String {
    var text = displayable(bytes).replacingOccurrences(of: "\"", with: "\\\"")
    let needsCare =
        text.hasPrefix(" ") || text.hasSuffix(" ") || text.contains(" timeout ") || text.hasSuffix(" timeout")
    guard needsCare else { return text }
    if quoting { return "\"" + text + "\"" }
    text = text.replacingOccurrences(of: " timeout", with: "\\x20timeout")
    let leading = text.prefix { $0 == " " }.count
    let trailing = text.reversed().prefix { $0 == " " }.count
    guard leading < text.count else { return String(repeating: "\\x20", count: text.count) }
    return String(repeating: "\\x20", count: leading) + text.dropFirst(leading).dropLast(trailing)
        + String(repeating: "\\x20", count: trailing)
}

/// Text for a `#` comment, on one line.
func quotedComment(_ text: String) -> String {
    "\"" + displayable(Array(text.utf8)) + "\""
}
