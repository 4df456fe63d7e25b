import Foundation
import LabSupport
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// A program started by the checker, a test or the benchmark: its output is collected as it comes, it can be waited
/// for with a timeout, and it cannot outlive its welcome.
///
/// - It runs in a process group of its own, so stopping it stops whatever it started too.
/// - It has a hard time limit: a watchdog kills it when the limit passes. (Not coreutils' `timeout` as a wrapper:
///   it delivers every signal twice, which is not what a program that handles Ctrl-C gracefully should be tested
///   with. A parent killed with SIGKILL is the one way to leave a child running, until its own limit passes.)
/// - `stop()` — called at the latest when the object goes away — sends SIGTERM, then SIGKILL, and reaps it.
/// - Ctrl-C in the parent (after `ChildProcess.stopAllOnInterrupt()`) stops every child before exiting.
public final class ChildProcess: @unchecked Sendable, CustomStringConvertible {
    public let pid: pid_t
    /// The command as a shell would show it, for messages and transcripts.
    public let commandLine: String

    private let state = NSCondition()
    private var output: [UInt8] = []
    /// Where the complete lines of `output` end, kept as output arrives so that waiting for a line never rescans it.
    private var lineEnds: [Int] = []
    private var errorOutput: [UInt8] = []
    private var outputClosed = false
    private var finalStatus: Termination?
    private var inputFD: Int32

    /// Starts `executable` (looked up in PATH when it has no slash) with `arguments`.
    /// - Parameters:
    ///   - environment: variables added to (or replacing those of) this process's environment.
    ///   - openFileLimit: the limit on open descriptors the child starts with, its own whatever this process's is;
    ///     nil: this process's.
    ///   - timeLimit: the child is killed when this has passed, whatever happens.
    public init(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        openFileLimit: OpenFileLimit? = nil,
        timeLimit: Duration = .seconds(120)
    ) throws(SpawnError) {
        commandLine = ([executable] + arguments).map(shellQuoted).joined(separator: " ")
        guard let path = Self.locate(executable) else { throw SpawnError(command: executable, errno: ENOENT) }
        let argv = try Self.withOpenFileLimit(openFileLimit, [path] + arguments, name: executable)
        var pipes = try (DescriptorPipe(), DescriptorPipe(), DescriptorPipe())
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        pid = try Self.spawn(
            argv,
            name: executable,
            environment: env,
            stdin: pipes.0,
            stdout: pipes.1,
            stderr: pipes.2
        )
        pipes.0.closeReadEnd()
        pipes.1.closeWriteEnd()
        pipes.2.closeWriteEnd()
        inputFD = pipes.0.writeEnd
        Self.registry.add(pid)
        startReading(stdout: pipes.1.readEnd, stderr: pipes.2.readEnd)
        startWatchdog(after: timeLimit)
    }

    deinit {
        stop()
    }

    public var description: String { "\(commandLine) (pid \(pid))" }

    // MARK: Output

    /// Everything the child has written to standard output so far.
    public var standardOutput: String { String(decoding: outputBytes, as: UTF8.self) }
    public var outputBytes: [UInt8] { state.withLock { output } }
    /// Everything the child has written to standard error so far.
    public var standardError: String { state.withLock { String(decoding: errorOutput, as: UTF8.self) } }

    /// Waits until a complete line of standard output satisfies `predicate`, and returns it; nil if the timeout
    /// passes or the child closes its output first. Lines are searched from the start, every time.
    public func waitForLine(timeout: Duration, where predicate: (String) -> Bool) -> String? {
        var checked = 0
        var found: String?
        _ = waitUntil(timeout: timeout) { _, _ in
            while found == nil && checked < lineEnds.count {
                let start = checked == 0 ? 0 : lineEnds[checked - 1] + 1
                let line = String(decoding: output[start..<lineEnds[checked]], as: UTF8.self)
                if predicate(line) { found = line }
                checked += 1
            }
            return found != nil
        }
        return found
    }

    /// Waits until `condition` holds for the output so far (standard output, standard error) or the output is
    /// closed. Returns whether the condition held.
    public func waitUntil(timeout: Duration, _ condition: ([UInt8], [UInt8]) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Self.seconds(timeout))
        state.lock()
        defer { state.unlock() }
        while true {
            if condition(output, errorOutput) { return true }
            if outputClosed || !state.wait(until: deadline) { return condition(output, errorOutput) }
        }
    }

    // MARK: Input

    /// Writes to the child's standard input. Returns false if the child no longer reads it.
    @discardableResult
    public func write(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let fd = state.withLock { inputFD }
        guard fd >= 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Closes the child's standard input: it reads end of file.
    public func closeInput() {
        let fd = state.withLock {
            let fd = inputFD
            inputFD = -1
            return fd
        }
        if fd >= 0 { _ = close(fd) }
    }

    // MARK: Ending

    /// How the child ended, or nil while it runs. Never blocks.
    public var termination: Termination? {
        state.withLock { reap(blocking: false) }
    }

    /// Waits up to `timeout` for the child to end; nil if it is still running then. Once it has ended, what it
    /// printed last is read too (up to a second more, in case something it started still holds the pipes).
    public func waitForExit(timeout: Duration) -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = termination {
                _ = waitUntil(timeout: .seconds(1)) { _, _ in false }
                return status
            }
            if ContinuousClock.now >= deadline { return nil }
            usleep(2_000)
        }
    }

    /// Stops the child and everything it started: SIGTERM to its process group, SIGKILL after `grace`, then reaps
    /// it. Returns how it ended (`.signalled(SIGTERM)` for a server that was still running).
    @discardableResult
    public func stop(grace: Duration = .milliseconds(500)) -> Termination {
        if let status = termination { return status }
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        if let status = waitForExit(timeout: grace) { return status }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        return state.withLock { reap(blocking: true)! }
    }

    /// Sends a signal to the child's process group (SIGINT for a Ctrl-C, say).
    public func signal(_ signal: Int32) {
        kill(-pid, signal)
    }

    // MARK: Running to completion

    /// Runs a program to its end (or until `timeout`, when it is killed) and returns what it printed.
    public static func run(
        _ executable: String,
        _ arguments: [String] = [],
        input: String? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) throws(SpawnError) -> Finished {
        let child = try ChildProcess(executable, arguments, environment: environment, timeLimit: timeout + .seconds(5))
        if let input { child.write(input) }
        child.closeInput()
        let status = child.waitForExit(timeout: timeout) ?? child.stop()
        return Finished(
            termination: status,
            standardOutput: child.standardOutput,
            standardError: child.standardError
        )
    }

    public struct Finished: Sendable {
        public let termination: Termination
        public let standardOutput: String
        public let standardError: String
    }

    // MARK: Interrupts

    /// Makes Ctrl-C (SIGINT) and SIGTERM stop every child still running before this process exits with the
    /// usual status (130, 143). Call once, early, in a program that starts children.
    public static func stopAllOnInterrupt() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            ignoreSignal(signalNumber)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                _ = source  // the handler keeps its source alive for the life of the process
                for pid in registry.all {
                    kill(-pid, SIGKILL)
                    kill(pid, SIGKILL)
                }
                exit(128 + signalNumber)
            }
            source.resume()
        }
    }

    // MARK: Internals

    private static let registry = Registry()

    private func startReading(stdout: Int32, stderr: Int32) {
        let thread = Thread { [weak self] in
            var open = [stdout, stderr]
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !open.isEmpty {
                var entries = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                if poll(&entries, nfds_t(entries.count), -1) < 0 { continue }  // EINTR
                for entry in entries where entry.revents != 0 {
                    let count = buffer.withUnsafeMutableBytes { systemRead(entry.fd, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 {
                        _ = close(entry.fd)
                        open.removeAll { $0 == entry.fd }
                        continue
                    }
                    guard let self else { continue }
                    self.state.withLock {
                        if entry.fd == stdout {
                            let start = self.output.count
                            self.output += buffer[..<count]
                            for index in start..<self.output.count where self.output[index] == UInt8(ascii: "\n") {
                                self.lineEnds.append(index)
                            }
                        } else {
                            self.errorOutput += buffer[..<count]
                        }
                        self.state.broadcast()
                    }
                }
            }
            guard let self else { return }
            self.state.withLock {
                self.outputClosed = true
                self.state.broadcast()
            }
        }
        thread.name = "output of pid \(pid)"
        thread.start()
    }

    private func startWatchdog(after limit: Duration) {
        let pid = self.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.seconds(limit)) { [weak self] in
            guard let self, self.termination == nil else { return }
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
    }

    /// Must be called with `state` locked.
    private func reap(blocking: Bool) -> Termination? {
        if let finalStatus { return finalStatus }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == 0 { return nil }
            if result < 0 && errno == EINTR { continue }
            break
        }
        let ended: Termination = Self.exited(status) ? .exited(Self.exitCode(status)) : .signalled(status & 0x7F)
        finalStatus = ended
        Self.registry.remove(pid)
        if inputFD >= 0 {
            _ = close(inputFD)
            inputFD = -1
        }
        return ended
    }

    private static func exited(_ status: Int32) -> Bool { status & 0x7F == 0 }
    private static func exitCode(_ status: Int32) -> Int32 { (status >> 8) & 0xFF }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The path `posix_spawn` should run: `command` itself if it has a slash, else the first match in PATH.
    private static func locate(_ command: String) -> String? {
        if command.contains("/") { return access(command, X_OK) == 0 ? command : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(command)" }.first { access($0, X_OK) == 0 }
    }

}

/// A child's own limit on open descriptors (RLIMIT_NOFILE): the soft limit it starts with (`ulimit -Sn`), and a hard
/// one (`ulimit -Hn`) if it must not be able to raise it as far as this process could.
public struct OpenFileLimit: Sendable, Equatable, CustomStringConvertible {
    public var soft: Int
    public var hard: Int?

    /// Starts with `limit` descriptors, and may raise it to the hard limit.
    public static func soft(_ limit: Int) -> Self { Self(soft: limit, hard: nil) }
    /// `limit` descriptors, for good.
    public static func fixed(_ limit: Int) -> Self { Self(soft: limit, hard: limit) }

    /// As a shell would set it: `ulimit -Sn 64`, `ulimit -n 32`.
    public var description: String { hard == soft ? "ulimit -n \(soft)" : "ulimit -Sn \(soft)" }
}

/// How a child process ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signalled(let number):
            let names = [
                SIGSEGV: "SIGSEGV, a crash", SIGABRT: "SIGABRT, an abort", SIGILL: "SIGILL, a Swift runtime trap",
                SIGTRAP: "SIGTRAP, a Swift runtime trap", SIGBUS: "SIGBUS, a crash", SIGKILL: "SIGKILL",
                SIGTERM: "SIGTERM", SIGPIPE: "SIGPIPE, a write to a closed connection", SIGINT: "SIGINT",
            ]
            return "killed by signal \(number)" + (names[number].map { " (\($0))" } ?? "")
        }
    }

    /// A crash rather than an exit or a stop the caller asked for.
    public var isCrash: Bool {
        if case .signalled(let number) = self { return ![SIGTERM, SIGKILL, SIGINT].contains(number) }
        return false
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public let command: String
    public let errno: Int32
    /// What was wrong, when the errno alone would not say.
    public var detail: String?

    public var description: String {
        "cannot start \(command): " + (detail ?? String(cString: strerror(errno)))
            + (errno == ENOENT ? " — is it installed and on PATH? (for a lab program: has it been built?)" : "")
    }
}
