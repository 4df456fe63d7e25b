import Foundation
import SwiftScanner
import Testing

/// The scanner on the kit's own code: every Swift file's braces match, and every body it finds lies between a `{`
/// and its `}`.
@Suite struct ScannerOnTheKitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var swiftFiles: [String] {
        ["Sources", "Solutions", "Tests"].flatMap { folder -> [String] in
            let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path)
            return (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".swift") }.map {
                "\(folder)/\($0)"
            }
        }.sorted()
    }

    @Test func everyFileScans() throws {
        let files = Self.swiftFiles
        #expect(files.count > 50)
        for path in files {
            let source = SwiftSource(bytes: Array(try Data(contentsOf: Self.root.appendingPathComponent(path))))
            var depth = 0
            for token in source.tokens where token.kind == .punctuation {
                if token.text == "{" { depth += 1 }
                if token.text == "}" { depth -= 1 }
                #expect(depth >= 0, "\(path): a } closes nothing at line \(source.line(of: token.range.lowerBound))")
                if depth < 0 { break }
            }
            #expect(depth == 0, "\(path): braces do not balance")
            for declaration in source.declarations {
                #expect(source.bytes[declaration.body.lowerBound - 1] == UInt8(ascii: "{"), "\(path): \(declaration)")
                #expect(source.bytes[declaration.body.upperBound] == UInt8(ascii: "}"), "\(path): \(declaration)")
            }
        }
    }
}
