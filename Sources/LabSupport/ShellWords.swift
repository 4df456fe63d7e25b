import Foundation

/// A word as a shell reads it back: as it is when it is safe (`--port`, `127.0.0.1:65432`), else in single quotes
/// (`'Lee, Mong'`, `'O'\''Brien'`). For the command lines the kit prints for a person to run again.
public func shellQuoted(_ word: String) -> String {
    let safe =
        !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0)) }
    return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// A make variable's value on a command line, in double quotes, as both the shell and make read it back:
/// `make run … ARGS="--name 'Lee, Mong'"` (a `$` doubled for make, then escaped for the shell).
public func makeQuoted(_ text: String) -> String {
    "\""
        + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "$", with: "\\$$").replacingOccurrences(of: "`", with: "\\`") + "\""
}
