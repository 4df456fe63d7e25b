import Foundation
import FrameKit
import Lab5ProtocolSolution
import LabSupport
import SocketKit

/// The chat: what you type goes to the router, what the router sends is printed as it comes. Both wait on one
/// selector (lab 4), so neither the keyboard nor the network holds up the other.
func chat(over router: RouterConnection) throws {
    print(chatHelp)
    enum Source { case router, keyboard }
    // poll, not epoll: standard input may be a file or /dev/null, which epoll refuses.
    let selector = try Selector<Source>(.poll)
    try selector.register(router.socket, events: .read, data: .router)
    try selector.register(fileDescriptor: 0, events: .read, data: .keyboard)
    var typed = Lines()
    var saidBye = false
    while true {
        for (key, _) in try selector.select() {
            switch key.data {
            case .router:
                guard try router.receiveMore() else {
                    if saidBye { return }
                    throw Failure("the router closed the connection")
                }
                while let message = try router.buffered() { print(describe(message)) }
            case .keyboard:
                // One read of what is there: readLine() would keep lines in its own buffer, out of the selector's view.
                let data = FileHandle.standardInput.availableData
                let lines = data.isEmpty ? typed.end() : typed.add(data)
                for line in lines where !saidBye {
                    guard let message = command(for: line) else { continue }
                    try router.send(message)
                    if message == .bye { saidBye = true }
                }
                if data.isEmpty || saidBye {
                    // End of input is a /quit: say BYE, and read what the router still sends until it closes.
                    try selector.unregister(fileDescriptor: 0)
                    if !saidBye { try router.send(.bye) }
                    saidBye = true
                }
            }
        }
    }
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
