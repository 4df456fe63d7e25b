/// The model drawn in the lecture's notation: phases labelled with `@deadline`, external arrows
/// with `?input [condition]`, internal arrows with `!output [condition]` (or `@deadline` when they
/// emit nothing). Phases and arrows come out in declaration order, so the text is the same on
/// every run and can be committed and compared byte for byte.
extension AtomicModel {
    /// Mermaid `stateDiagram-v2` text.
    ///
    /// Mermaid has no escape character, but it turns `#name;` and `#35;` into character
    /// references before parsing; label text uses them for the characters its grammar gives a
    /// meaning to (`:` `;` `#` `%` `"` `<` `>` `&`, and the word `direction`, which would turn a
    /// line into a layout statement). `[`, `]` and `?` need nothing: the grammar takes everything
    /// after ` : ` up to the end of the line, other than `:` and `;`, as the label. Newlines become
    /// `<br>`. Phases whose names are not plain identifiers (or are Mermaid keywords) get an id
    /// `pN` and keep their name in the label.
    public func mermaid() -> String {
        let ids = DiagramText.mermaidIDs(for: phases.map(\.name))
        var lines = ["stateDiagram-v2"]
        for (phase, id) in zip(phases, ids) {
            lines.append("    state \"\(DiagramText.mermaidText(label(of: phase)))\" as \(id)")
        }
        lines.append("    [*] --> \(ids[tables.initial])")
        for (index, transition) in transitions.enumerated() {
            let from = ids[tables.source[index]]
            let to = ids[tables.target[index]]
            lines.append("    \(from) --> \(to) : \(DiagramText.mermaidText(label(of: transition)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Graphviz DOT text, for `dot -Tsvg`. Internal arrows are dashed, as in DEVS diagrams, to
    /// tell them from the solid external ones at a glance.
    public func dot() -> String {
        var lines = [
            "digraph \(DiagramText.dotString(name)) {",
            "    rankdir=LR;",
            "    node [shape=box, style=rounded];",
            "    \"[*]\" [shape=point, width=0.15];",
        ]
        for phase in phases {
            lines.append("    \(DiagramText.dotString(phase.name)) [label=\(DiagramText.dotString(label(of: phase)))];")
        }
        lines.append("    \"[*]\" -> \(DiagramText.dotString(initialPhase));")
        for transition in transitions {
            let style = transition.trigger == .deadline ? ", style=dashed" : ""
            lines.append(
                "    \(DiagramText.dotString(transition.from)) -> \(DiagramText.dotString(transition.to))"
                    + " [label=\(DiagramText.dotString(label(of: transition)))\(style)];"
            )
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func deadline(of phase: String) -> Deadline {
        phases.first { $0.name == phase }?.deadline ?? .infinity
    }

    /// `IDLE @∞`
    func label(of phase: Phase) -> String {
        phase.name + " @" + phase.deadline.description
    }

    /// `?bytes [header incomplete]`, `!frame`, `@5s [else]`
    func label(of transition: Transition<State, Input, Output>) -> String {
        var label: String
        switch transition.trigger {
        case .input(let port):
            label = "?" + port
        case .deadline:
            label = transition.output.map { "!" + $0 } ?? "@" + deadline(of: transition.from).description
        }
        if let condition = transition.condition {
            label += " [" + condition + "]"
        }
        return label
    }
}

/// Escaping for the two diagram formats, kept apart from the models they draw.
enum DiagramText {
    private static let mermaidKeywords: Set<String> = [
        "accdescr", "acctitle", "as", "choice", "class", "classdef", "click", "default", "direction",
        "end", "fork", "hide", "href", "join", "left", "note", "of", "right", "scale", "state",
        "statediagram", "style",
    ]

    /// Plain identifiers stay as they are; anything else becomes `pN` (N its position), made
    /// unique against the names kept.
    static func mermaidIDs(for names: [String]) -> [String] {
        func isPlain(_ name: String) -> Bool {
            guard let first = name.unicodeScalars.first, first.isASCIILetter else { return false }
            return name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" }
                && !mermaidKeywords.contains(name.lowercased())
        }
        var used = Set(names.filter(isPlain))
        return names.enumerated().map { index, name in
            if isPlain(name) { return name }
            var id = "p\(index)"
            while used.contains(id) { id += "_" }
            used.insert(id)
            return id
        }
    }

    static func mermaidText(_ text: String) -> String {
        var out = ""
        for scalar in visible(text).unicodeScalars {
            switch scalar {
            case "#": out += "#35;"
            case "%": out += "#37;"
            case "&": out += "#amp;"
            case ":": out += "#58;"
            case ";": out += "#59;"
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "\n": out += "<br>"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return breakingWord("direction", in: out)
    }

    /// Replaces the `o` of every `direction` (any case) with its character reference.
    private static func breakingWord(_ word: String, in text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        let target = Array(word.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let end = index + target.count
            if end <= scalars.count, zip(scalars[index..<end], target).allSatisfy({ $0.asciiLowercased == $1 }) {
                for scalar in scalars[index..<end] {
                    if scalar == "o" || scalar == "O" {
                        out.append(contentsOf: "#\(scalar.value);".unicodeScalars)
                    } else {
                        out.append(scalar)
                    }
                }
                index = end
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }

    /// A DOT double-quoted string: `\` and `"` escaped, newlines as `\n`.
    static func dotString(_ text: String) -> String {
        var out = "\""
        for scalar in visible(text).unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Control characters other than newline as `\u{1B}`, so neither format receives raw ones.
    private static func visible(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar != "\n", scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self)
    }

    fileprivate var asciiLowercased: Unicode.Scalar {
        ("A"..."Z").contains(self) ? Unicode.Scalar(UInt8(value) + 32) : self
    }
}

/// The formats a model can be drawn in, for a `--diagram` option.
public enum DiagramFormat: String, CaseIterable, Sendable {
    case mermaid
    case dot
}

extension AtomicModel {
    /// `mermaid()` or `dot()`.
    public func diagram(_ format: DiagramFormat) -> String {
        switch format {
        case .mermaid: mermaid()
        case .dot: dot()
        }
    }
}
