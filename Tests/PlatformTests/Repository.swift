import Foundation
import ProcessKit

/// The kit's folder, found from this file's place in it (Tests/PlatformTests/).
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func contents(_ path: String) throws -> String {
    try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
}

/// Whether python3 can read YAML (PyYAML: the Debian package python3-yaml, in .ci/packages).
let pythonReadsYAML: Bool = {
    (try? ChildProcess.run("python3", ["-c", "import yaml"], timeout: .seconds(30)).termination.succeeded) == true
}()
