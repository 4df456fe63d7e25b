import Foundation
import ReplKit
import Testing

/// A console that keeps what a session shows, for tests that drive a session in-process.
final class RecordingConsole: Console {
    private(set) var shown: [(kind: OutputKind, text: String)] = []

    func show(_ text: String, as kind: OutputKind) {
        shown.append((kind, text))
    }

    /// Everything but errors, one line per element.
    var lines: [String] {
        shown.filter { $0.kind != .error }.flatMap { $0.text.split(separator: "\n").map(String.init) }
    }
    var errors: [String] { shown.filter { $0.kind == .error }.map(\.text) }

    func clear() { shown = [] }
}

extension Session {
    /// Serves the network until `condition` holds; fails the test after `timeout`.
    func pump(until condition: () -> Bool, timeout: Duration = .seconds(10), _ what: String) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            try #require(ContinuousClock.now < deadline, "timed out waiting for \(what)")
            _ = pump(timeout: .milliseconds(50))
        }
    }
}

/// The port at the end of a "… listening on 127.0.0.1:PORT …" line (or "[::1]:PORT").
func listeningPort(in line: String) throws -> Int {
    let match = try #require(line.firstMatch(of: /listening on (?:127\.0\.0\.1|\[::1\]):(\d+)/), "no port in \(line)")
    return try #require(Int(match.1))
}
