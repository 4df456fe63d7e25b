import DEVSKit
import Foundation
import Testing

@Suite struct DiagramTests {
    /// Every kind of arrow: unconditional, conditional, else, internal with and without output.
    static func blink() throws -> Tiny {
        try Tiny(
            "Blink",
            initial: "OFF",
            phases: [Phase("OFF", .infinity), Phase("ON", .after(.seconds(2))), Phase("FLASH", .zero)],
            inputs: ["poke"],
            outputs: ["beep"],
            transitions: [
                .external(from: "OFF", on: "poke", to: "ON"),
                .external(
                    from: "ON",
                    on: "poke",
                    when: Condition("big") { _, input in value(input) > 100 },
                    to: "FLASH"
                ),
                .external(from: "ON", on: "poke", when: .otherwise, to: "OFF"),
                .internal(from: "ON", to: "OFF"),
                .internal(from: "FLASH", output: "beep", emit: beep, to: "OFF"),
            ]
        )
    }

    /// Names and labels with every character either format gives a meaning to.
    static func awkward() throws -> Tiny {
        try Tiny(
            #"Esc "x""#,
            initial: #"wait "here""#,
            phases: [
                Phase(#"wait "here""#, .after(.milliseconds(250))), Phase("state", .infinity), Phase("p1", .infinity),
                Phase("대기", .infinity),
            ],
            inputs: ["poke"],
            outputs: [],
            transitions: [
                .internal(from: #"wait "here""#, when: Condition("a: b; #1 <i>") { _ in true }, to: "state"),
                .external(from: "state", on: "poke", when: Condition("x [y] ?z") { _, _ in true }, to: "p1"),
                .external(
                    from: "p1",
                    on: "poke",
                    when: Condition("line1\nline2 \"q\" 100%") { _, _ in true },
                    to: "대기"
                ),
                .external(
                    from: "대기",
                    on: "poke",
                    when: Condition(#"set Direction LR & go \ now"#) { _, _ in true },
                    to: "대기"
                ),
                .external(from: "대기", on: "poke", when: Condition("bell\u{07}") { _, _ in false }, to: "state"),
            ]
        )
    }

    @Test func mermaidOfASmallModel() throws {
        #expect(
            try Self.blink().mermaid() == """
                stateDiagram-v2
                    state "OFF @∞" as OFF
                    state "ON @2s" as ON
                    state "FLASH @0" as FLASH
                    [*] --> OFF
                    OFF --> ON : ?poke
                    ON --> FLASH : ?poke [big]
                    ON --> OFF : ?poke [else]
                    ON --> OFF : @2s
                    FLASH --> OFF : !beep

                """
        )
    }

    @Test func dotOfASmallModel() throws {
        #expect(
            try Self.blink().dot() == """
                digraph "Blink" {
                    rankdir=LR;
                    node [shape=box, style=rounded];
                    "[*]" [shape=point, width=0.15];
                    "OFF" [label="OFF @∞"];
                    "ON" [label="ON @2s"];
                    "FLASH" [label="FLASH @0"];
                    "[*]" -> "OFF";
                    "OFF" -> "ON" [label="?poke"];
                    "ON" -> "FLASH" [label="?poke [big]"];
                    "ON" -> "OFF" [label="?poke [else]"];
                    "ON" -> "OFF" [label="@2s", style=dashed];
                    "FLASH" -> "OFF" [label="!beep", style=dashed];
                }

                """
        )
    }

    @Test func mermaidOfATimedModel() throws {
        #expect(
            try asker(wait: .milliseconds(1_500)).mermaid() == """
                stateDiagram-v2
                    state "ASK @0" as ASK
                    state "WAIT @1.5s" as WAIT
                    state "DONE @∞" as DONE
                    state "GAVE_UP @∞" as GAVE_UP
                    [*] --> ASK
                    ASK --> WAIT : !ask
                    WAIT --> DONE : ?answer [not empty]
                    WAIT --> ASK : ?answer [else]
                    WAIT --> GAVE_UP : !timeout
                    GAVE_UP --> GAVE_UP : ?answer

                """
        )
    }

    @Test func mermaidEscapesWhatItsGrammarWouldRead() throws {
        #expect(
            try Self.awkward().mermaid() == #"""
                stateDiagram-v2
                    state "wait #quot;here#quot; @0.25s" as p0
                    state "state @∞" as p1_
                    state "p1 @∞" as p1
                    state "대기 @∞" as p3
                    [*] --> p0
                    p0 --> p1_ : @0.25s [a#58; b#59; #35;1 #lt;i#gt;]
                    p1_ --> p1 : ?poke [x [y] ?z]
                    p1 --> p3 : ?poke [line1<br>line2 #quot;q#quot; 100#37;]
                    p3 --> p3 : ?poke [set Directi#111;n LR #amp; go \ now]
                    p3 --> p1_ : ?poke [bell\u{7}]

                """#
        )
    }

    @Test func dotEscapesQuotesBackslashesAndNewlines() throws {
        #expect(
            try Self.awkward().dot() == #"""
                digraph "Esc \"x\"" {
                    rankdir=LR;
                    node [shape=box, style=rounded];
                    "[*]" [shape=point, width=0.15];
                    "wait \"here\"" [label="wait \"here\" @0.25s"];
                    "state" [label="state @∞"];
                    "p1" [label="p1 @∞"];
                    "대기" [label="대기 @∞"];
                    "[*]" -> "wait \"here\"";
                    "wait \"here\"" -> "state" [label="@0.25s [a: b; #1 <i>]", style=dashed];
                    "state" -> "p1" [label="?poke [x [y] ?z]"];
                    "p1" -> "대기" [label="?poke [line1\nline2 \"q\" 100%]"];
                    "대기" -> "대기" [label="?poke [set Direction LR & go \\ now]"];
                    "대기" -> "state" [label="?poke [bell\\u{7}]"];
                }

                """#
        )
    }

    @Test func outputIsTheSameEveryTime() throws {
        let first = try asker(wait: .seconds(5))
        let second = try asker(wait: .seconds(5))
        #expect(first.mermaid() == second.mermaid())
        #expect(first.dot() == second.dot())
        #expect(first.mermaid() == first.mermaid())
        // The deadline given at construction is what the diagram shows.
        #expect(try asker(wait: .seconds(30)).mermaid().contains(#"state "WAIT @30s" as WAIT"#))
    }

    @Test func aFormatNamesOneOfTheTwo() throws {
        let model = try Self.blink()
        #expect(model.diagram(.mermaid) == model.mermaid())
        #expect(model.diagram(.dot) == model.dot())
        #expect(DiagramFormat(rawValue: "dot") == .dot && DiagramFormat(rawValue: "svg") == nil)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dot")))
    func graphvizRendersEveryModel() throws {
        let models = [
            try asker().dot(), try Self.blink().dot(), try Self.awkward().dot(),
        ]
        for source in models {
            let (status, errors) = try run("/usr/bin/dot", ["-Tsvg"], input: source)
            #expect(status == 0, "\(errors)\n\(source)")
            #expect(errors.isEmpty, "\(errors)\n\(source)")
        }
    }

    private func run(_ tool: String, _ arguments: [String], input: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        _ = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, errors)
    }
}
