import LabSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Scripted mode: commands from a file (`--script FILE`) or from standard input when it is not a terminal. No
/// prompt, no colours; commands run in order, each after whatever had arrived before it is shown. The exit status
/// is 1 if any command failed (a failed expect included), 130 after Ctrl-C, else 0.
struct ScriptRunner {
    let session: Session
    let console: PlainConsole
    /// Where "file:line" in error messages comes from; nil for standard input ("line 3").
    let name: String?

    static func run(file path: String, portMap: [Int: Int] = [:]) -> Int32 {
        guard let file = fopen(path, "rb") else {
            writeOut("labrepl: cannot read \(path): \(systemMessage(errno))\n", to: .error)
            return 2
        }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { text += buffer[..<count] }
        fclose(file)
        let console = PlainConsole()
        let session = Session(console: console)
        session.portMap = portMap
        return ScriptRunner(session: session, console: console, name: path).run(text: text, input: nil)
    }

    static func runStandardInput(portMap: [Int: Int] = [:]) -> Int32 {
        let console = PlainConsole()
        let session = Session(console: console)
        session.portMap = portMap
        return ScriptRunner(session: session, console: console, name: nil).run(text: [], input: STDIN_FILENO)
    }

    /// Runs the lines of `text`, then those read from `input` (if any) as they come.
    func run(text: [UInt8], input: Int32?) -> Int32 {
        var pending = text
        var inputOpen = input != nil
        var lineNumber = 0
        var failed = false
        while !session.quitRequested && !stopped {
            if let line = Self.takeLine(from: &pending, last: !inputOpen) {
                lineNumber += 1
                console.location = name.map { "\($0):\(lineNumber)" } ?? "line \(lineNumber)"
                _ = session.pump(timeout: .zero)  // show what arrived before this command, in order
                if !session.run(line) { failed = true }
                continue
            }
            guard let input, inputOpen else { break }
            if session.pump(timeout: nil, input: input).inputReady {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count > 0 {
                    pending += buffer[..<count]
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    inputOpen = false
                }
            }
        }
        console.location = nil
        session.closeAll()
        if stopped { return 130 }
        return failed ? 1 : 0
    }

    /// The first line of `pending`, taken out of it; at the end of the input (`last`) a final line needs no newline.
    private static func takeLine(from pending: inout [UInt8], last: Bool) -> String? {
        guard let end = pending.firstIndex(of: 0x0A) ?? (last && !pending.isEmpty ? pending.count : nil) else {
            return nil
        }
        var line = String(decoding: pending[..<end], as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        pending.removeFirst(min(end + 1, pending.count))
        return line
    }

    /// Ctrl-C (or SIGTERM) ends a script: whatever it was waiting for will not come.
    private var stopped: Bool { session.interruptPending || session.interruptions > 0 || session.terminateRequested }
}
