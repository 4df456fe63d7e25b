import Foundation

/// Where the kit says what happens: retries, errors, stops. The client redacts the token from
/// every line before it gets here.
public struct BotLogger: Sendable {
    public enum Level: String, Sendable, Comparable {
        case info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool {
            let order: [Level] = [.info, .warning, .error]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    private let write: @Sendable (Level, String) -> Void

    public init(_ write: @escaping @Sendable (Level, String) -> Void) {
        self.write = write
    }

    public func log(_ level: Level, _ message: String) {
        write(level, message)
    }

    public func info(_ message: String) { write(.info, message) }
    public func warning(_ message: String) { write(.warning, message) }
    public func error(_ message: String) { write(.error, message) }

    /// Lines like `[telegram] warning: ...` on standard error.
    public static let standardError = BotLogger { level, message in
        let line = "[telegram] \(level.rawValue): \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Says nothing.
    public static let silent = BotLogger { _, _ in }

    /// The same logger with every line passed through `redact` first.
    func redacting(with redact: Redactor) -> BotLogger {
        BotLogger { level, message in self.write(level, redact(message)) }
    }
}
