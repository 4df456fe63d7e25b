import Foundation

// ReplKit's one platform difference: finding the program at the other end of a socket reads Linux's /proc.

/// Which lab program is at the other end of a connection, found as `ss -p` finds it: the socket in
/// `/proc/net/tcp` (or `unix`), then the process that holds it, then its executable's name. Linux only: on macOS
/// every answer is nil, and `save` asks the student to name the program.
enum ProgramFinder {
    /// The program listening on TCP port `port` (the server a `connect` reached).
    static func listening(onPort port: Int) -> LabProgram? {
        #if os(Linux)
        program(holding: tcpSockets().filter { $0.state == 0x0A && $0.localPort == port }.map(\.inode))
        #elseif canImport(Darwin)
        nil
        #endif
    }

    /// The program whose TCP socket has local port `port` and is connected to `peerPort` (a client a listener
    /// accepted).
    static func connected(from port: Int, to peerPort: Int) -> LabProgram? {
        #if os(Linux)
        program(holding: tcpSockets().filter { $0.localPort == port && $0.remotePort == peerPort }.map(\.inode))
        #elseif canImport(Darwin)
        nil
        #endif
    }

    /// The program listening on the Unix socket file `path`.
    static func listening(onUnixPath path: String) -> LabProgram? {
        #if os(Linux)
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let lines = (try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8))?.split(separator: "\n") ?? []
        let inodes = lines.dropFirst().compactMap { line -> Int? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8, fields[7] == path || fields[7] == absolute else { return nil }
            return Int(fields[6])
        }
        return program(holding: inodes)
        #elseif canImport(Darwin)
        nil
        #endif
    }

    /// Whether this system lets labrepl see which program is at the other end of a connection.
    static var canLook: Bool {
        #if os(Linux)
        true
        #elseif canImport(Darwin)
        false
        #endif
    }

    /// The running program of lab `lab` (the Telegram bot, whose connections go to the sandbox, not to labrepl);
    /// nil when none runs, or several that differ.
    static func running(lab: Int) -> LabProgram? {
        #if os(Linux)
        let found = processIDs().compactMap(labProgram).filter { $0.lab == lab }
        return found.allSatisfy { $0 == found.first } ? found.first : nil
        #elseif canImport(Darwin)
        nil
        #endif
    }

    #if os(Linux)
    private struct TCPSocket {
        let localPort: Int
        let remotePort: Int
        let state: Int
        let inode: Int
    }

    /// Every TCP socket of this network namespace, IPv4 and IPv6.
    private static func tcpSockets() -> [TCPSocket] {
        ["/proc/net/tcp", "/proc/net/tcp6"].flatMap { file -> [TCPSocket] in
            let lines = (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n") ?? []
            return lines.dropFirst().compactMap { line in
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 10, let local = port(fields[1]), let remote = port(fields[2]),
                    let state = Int(fields[3], radix: 16), let inode = Int(fields[9])
                else { return nil }
                return TCPSocket(localPort: local, remotePort: remote, state: state, inode: inode)
            }
        }
    }

    /// `0100007F:FF98` → 65432.
    private static func port(_ field: Substring) -> Int? {
        field.split(separator: ":").last.flatMap { Int($0, radix: 16) }
    }

    /// The lab program that holds one of these socket inodes, if one does.
    private static func program(holding inodes: [Int]) -> LabProgram? {
        guard !inodes.isEmpty else { return nil }
        let wanted = Set(inodes.map { "socket:[\($0)]" })
        for pid in processIDs() {
            let folder = "/proc/\(pid)/fd"
            guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            let holds = descriptors.contains { descriptor in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + descriptor))
                    .map(wanted.contains) ?? false
            }
            if holds { return labProgram(pid) }
        }
        return nil
    }

    private static func processIDs() -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int($0) }
            .filter { $0 != Int(ProcessInfo.processInfo.processIdentifier) }
    }

    private static func labProgram(_ pid: Int) -> LabProgram? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe"),
            let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        else { return nil }
        let arguments = commandLine.split(separator: 0, omittingEmptySubsequences: false).dropFirst()
            .map { String(decoding: $0, as: UTF8.self) }
        // The command line ends with a NUL: the last "argument" is empty.
        let trimmed = arguments.last == "" ? Array(arguments.dropLast()) : arguments
        // A program rebuilt while it runs: its executable reads "lab3-echo-server (deleted)".
        let product = URL(fileURLWithPath: executable).lastPathComponent.replacingOccurrences(
            of: " (deleted)",
            with: ""
        )
        return LabProgram(product: product, arguments: trimmed)
    }
    #elseif canImport(Darwin)
    // macOS has no /proc: `save` asks the student which program it was.
    #endif
}
