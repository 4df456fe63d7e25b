#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// C's standard output and standard error, the `FILE *` that `fputs`, `fflush` and `setvbuf` take.
///
/// The C names do not travel well in Swift 6: Glibc declares `stdout` and `stderr` as mutable globals, which strict
/// concurrency rejects ("not concurrency-safe") unless every file that names them imports Glibc with
/// `@preconcurrency`, while Darwin reaches them through its overlay. This is the one place that names them, and it
/// compiles on both; everything else writes `StandardStream.error.file`.
public enum StandardStream: Sendable {
    case output
    case error

    public var file: UnsafeMutablePointer<FILE> {
        switch self {
        #if canImport(Glibc)
        case .output: Glibc.stdout
        case .error: Glibc.stderr
        #elseif canImport(Darwin)
        case .output: Darwin.stdout
        case .error: Darwin.stderr
        #endif
        }
    }

    /// Writes the parts and flushes at once, so that a reader on the other end of a pipe sees each line as it
    /// happens, and a library writing to the same stream (libedit) never finds half a line in the buffer.
    public func write(_ parts: String...) {
        for part in parts { fputs(part, file) }
        fflush(file)
    }
}
