import Foundation
import FrameKit
import Lab5Protocol
import LabSupport
import SocketKit

/// The chat: what you type goes to the router, what the router sends is printed as it comes. Both wait on one
/// selector (lab 4), so neither the keyboard nor the network holds up the other.
func chat(over router: RouterConnection) throws {
    print(chatHelp)
    // TODO step 2: one Selector(.poll) (poll, not epoll: standard input may be a file, which epoll refuses) watching
    //   router.socket and standard input (register(fileDescriptor: 0, ...)) for .read. In a loop:
    //   - the router is readable: router.receiveMore() (false: the router closed — fine after BYE, else throw
    //     Failure), then print(describe(message)) for every message router.buffered() has;
    //   - the keyboard is readable: FileHandle.standardInput.availableData (one read: readLine() would keep lines in
    //     its own buffer, where the selector cannot see them), cut into lines with Lines; router.send each
    //     command(for: line). After /quit (BYE), or at the end of input (send BYE then), stop watching the keyboard
    //     and wait for the router to close the connection.
    throw NotImplemented("step 2 — chat: the keyboard and the router, on one selector")
}

let chatHelp = "type a line to send it to everyone, @NAME TEXT (or @NAME: TEXT when the name has spaces) to send it to one, /list, /ping TEXT, /quit"

/// What a typed line asks for, or nil (after saying why) when it asks for nothing.
func command(for line: String) -> Message? {
    if line.isEmpty { return nil }
    if line.hasPrefix("@") {
        let rest = line.dropFirst()
        let split = rest.range(of: ": ") ?? rest.range(of: " ")
        guard let split, split.lowerBound > rest.startIndex else {
            print("usage: @NAME TEXT, or @NAME: TEXT")
            return nil
        }
        return .send(to: String(rest[..<split.lowerBound]), text: String(rest[split.upperBound...]))
    }
    switch line {
    case "/list": return .list
    case "/quit": return .bye
    case _ where line.hasPrefix("/ping"): return .ping(Array(line.dropFirst(5).drop { $0 == " " }.utf8))
    case _ where line.hasPrefix("/"):
        print(chatHelp)
        return nil
    default: return .broadcast(line)
    }
}

/// Bytes from the keyboard, cut into lines.
struct Lines {
    private var pending: [UInt8] = []

    /// The lines `data` completes.
    mutating func add(_ data: Data) -> [String] {
        pending += data
        var lines: [String] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending[..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lines.append(String(decoding: line, as: UTF8.self))
            pending.removeSubrange(...newline)
        }
        return lines
    }

    /// At the end of input: the last line, if it had no newline.
    mutating func end() -> [String] {
        defer { pending.removeAll() }
        return pending.isEmpty ? [] : [String(decoding: pending, as: UTF8.self)]
    }
}
