import LabSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Where a session's output goes: the terminal (with colours, around the line being edited), plain standard output
/// for scripts, or a list in tests.
public protocol Console: AnyObject {
    /// Shows `text` (one or more lines, no final newline).
    func show(_ text: String, as kind: OutputKind)
}

public enum OutputKind: Sendable {
    /// What a command prints: help, the peer table, "listening on …".
    case output
    /// Bytes from a peer.
    case received
    /// Bytes to a peer.
    case sent
    /// Something that happened to a connection: accepted, closed by the peer, reset.
    case event
    /// A command failed: one line, on standard error.
    case error
}

/// Scripted mode: plain lines, no colours, errors on standard error prefixed with where they happened
/// (`check.repl:4: expect "bye": …`).
public final class PlainConsole: Console {
    /// The script line being run, for error messages: "check.repl:4" or "line 4".
    public var location: String?

    public init() {}

    public func show(_ text: String, as kind: OutputKind) {
        if kind == .error {
            writeOut(location.map { "\($0): " } ?? "", text, "\n", to: .error)
        } else {
            writeOut(text, "\n", to: .output)
        }
    }
}

/// Writes and flushes at once: a test (or a student's `tee`) sees each line as it happens, and libedit, which
/// writes to the same FILE, never finds half our line in the buffer.
func writeOut(_ parts: String..., to stream: StandardStream) {
    for part in parts { fputs(part, stream.file) }
    fflush(stream.file)
}
