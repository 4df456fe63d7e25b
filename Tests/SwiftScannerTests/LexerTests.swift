import SwiftScanner
import Testing

/// The lexer's one job: never mistake a brace, quote or `TODO` in a comment or a literal for code.
@Suite struct LexerTests {
    /// The braces that are code, in order.
    private func braces(_ source: String) -> String {
        SwiftSource(source).tokens.filter { $0.kind == .punctuation && ($0.text == "{" || $0.text == "}") }
            .map(\.text).joined()
    }

    @Test func commentsHideBraces() {
        #expect(braces("f { // }\n } /* { */ x") == "{}")
        #expect(braces("/* outer /* inner { */ still comment } */ { }") == "{}")
        #expect(braces("a+// {\n{ }") == "{}")
        #expect(SwiftSource("x /* a */ y // b").comments.map(\.text) == ["/* a */", "// b"])
    }

    @Test func stringsHideBraces() {
        #expect(braces(#"let s = "{ \" }" ; { }"#) == "{}")
        #expect(braces(#"let s = "\\" ; { }"#) == "{}")
        #expect(braces(#"print("}", "{{"); { }"#) == "{}")
    }

    @Test func interpolationsAreCode() {
        let source = SwiftSource(#"let s = "a \(f("}", (1 + g(")"))), [2]) b {" ; { }"#)
        #expect(braces(#"let s = "a \(f("}", (1 + g(")"))), [2]) b {" ; { }"#) == "{}")
        #expect(source.tokens.filter { $0.kind == .string }.count == 3)
        #expect(source.tokens.contains { $0.text == "f" })
        // A closure inside an interpolation has real braces, matched within it.
        #expect(braces(#""\(xs.map { "\($0)}" })" {}"#) == "{}{}")
    }

    @Test func stringTokenComesBeforeItsInterpolations() throws {
        let source = SwiftSource(#"fail("\(NotImplemented("step 5 — x"))")"#)
        let texts = source.tokens.map(\.text)
        let outer = try #require(texts.firstIndex { $0.hasPrefix(#""\("#) })
        let marker = try #require(texts.firstIndex(of: "NotImplemented"))
        #expect(outer < marker)
        #expect(source.tokens[marker + 2].literal == "step 5 — x")
    }

    @Test func multilineStrings() {
        let source = """
            let s = \"\"\"
                a "quoted" word, two quotes "" and { brace
                an escaped end \\\"\"\" still inside }
                \"\"\"
            func f() { }
            """
        #expect(braces(source) == "{}")
        let literal = SwiftSource(source).tokens.first { $0.kind == .string }?.literal
        #expect(literal?.hasPrefix("    a \"quoted\"") == true)
    }

    @Test func rawStrings() {
        #expect(braces(##"let s = #"a "quoted" \(not code) { \"#; { }"##) == "{}")
        #expect(braces(###"let s = ##"a "# still "## ; { }"###) == "{}")
        // In a raw string only `\#(` interpolates.
        let source = SwiftSource(##"let s = #"\(no) \#(yes)"#"##)
        #expect(source.tokens.contains { $0.text == "yes" })
        #expect(!source.tokens.contains { $0.text == "no" })
        #expect(braces(##"let s = #"""\#n { "" """#; { }"##) == "{}")
    }

    @Test func escapesInStrings() {
        #expect(braces(#"let s = "\u{7B}\t\"{" ; { }"#) == "{}")
        #expect(SwiftSource(#""a\"b""#).tokens.first?.literal == #"a\"b"#)
    }

    @Test func extendedRegexLiterals() {
        #expect(braces(##"let r = #/a{2}"(/#; { }"##) == "{}")
    }

    @Test func unterminatedStringEndsWithItsLine() {
        #expect(braces("let s = \"{ oops\n{ }") == "{}")
    }

    @Test func identifiersAndAttributes() {
        let tokens = SwiftSource("@MainActor func `default`(_ $x: Int) -> Int? #if os(Linux)").tokens
        #expect(
            tokens.map(\.text) == [
                "@MainActor", "func", "default", "(", "_", "$x", ":", "Int", ")", "->", "Int", "?", "#if", "os", "(",
                "Linux", ")",
            ]
        )
        #expect(tokens[0].kind == .attribute)
        #expect(tokens[12].kind == .pound)
    }

    @Test func linesAndLineStarts() {
        let source = SwiftSource("a\n  b c\n\nd")
        #expect(source.tokens.map(\.startsLine) == [true, true, false, true])
        #expect(source.tokens.map { source.line(of: $0.range.lowerBound) } == [1, 2, 2, 4])
    }

    @Test func multibyteTextKeepsByteOffsets() {
        let source = SwiftSource("let s = \"—é\" // ü\nfunc f() { }")
        let function = source.tokens.first { $0.text == "func" }
        #expect(function.map { source.text($0.range) } == "func")
        #expect(source.comments.first?.text == "// ü")
    }
}
