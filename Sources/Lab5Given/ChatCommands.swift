import Foundation
import FrameTypes

/// What the chat prints for a line it does not understand.
public let chatHelp =
    "type a line to send it to everyone, @NAME TEXT (or @NAME: TEXT when the name has spaces) to send it to one, /list, /ping TEXT, /quit"

/// What a typed line asks for, or nil (after saying why) when it asks for nothing.
public func command(for line: String) -> Message? {
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
public struct Lines {
    private var pending: [UInt8] = []

    public init() {}

    /// The lines `data` completes.
    public mutating func add(_ data: Data) -> [String] {
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
    public mutating func end() -> [String] {
        defer { pending.removeAll() }
        return pending.isEmpty ? [] : [String(decoding: pending, as: UTF8.self)]
    }
}
