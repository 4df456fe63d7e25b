import Foundation
import ProcessKit
import TestSupport
import Testing

/// The kit's folder, found from this file's place in it (Tests/GradingTests/).
let kitRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Runs a command in `folder` (ChildProcess starts it in this process's folder: the shell moves first).
func run(
    _ command: [String],
    in folder: String,
    environment: [String: String] = [:],
    timeout: Duration = .seconds(120)
) throws -> ChildProcess.Finished {
    try ChildProcess.run(
        "/bin/sh",
        ["-c", #"cd "$0" && exec "$@""#, folder] + command,
        environment: environment,
        timeout: timeout
    )
}

/// The labcheck the tests were built with.
func labcheck() throws -> String { try productsDirectory() + "/labcheck" }

/// A folder of "built programs" for labcheck's --bin-dir: each name a link to one of the kit's real products
/// (`lab1-greeting` → `lab1-greeting-solution`: a student whose work is the reference's) or a shell script.
func makeBinDirectory(links: [String: String] = [:], scripts: [String: String] = [:]) throws -> String {
    let folder = try makeTemporaryDirectory(prefix: "grading-bin")
    for (name, product) in links {
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/" + name,
            withDestinationPath: try productsDirectory() + "/" + product
        )
    }
    for (name, script) in scripts {
        try writeExecutable(script, to: folder + "/" + name)
    }
    return folder
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent,
        withIntermediateDirectories: true
    )
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
        "not a JSON object: \(text.prefix(300))"
    )
}

/// lab1-greeting that prints the handout's dialogue whatever it is asked: a student who copied the example.
let handoutOnlyGreeting = #"""
    #!/bin/sh
    printf 'Hong, Gil Dong: Hi. What is your name?\nKim, Younghee: My name is Kim, Younghee.\nHong, Gil Dong: How old are you?\nKim, Younghee: I am 22.\n'
    """#
