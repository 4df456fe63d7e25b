import ArgumentParser
import Foundation
import ProcessKit

/// The private copy of the package where mutants are built: `.build-mutants/tree`, with a build folder that stays
/// between runs, so that each mutant is an incremental rebuild of one module. The instructor's own files and build
/// are never touched; a run stopped half-way leaves a mutant only in this copy, and the next run puts it right.
struct MutantTree {
    /// The package.
    let root: URL
    /// `.build-mutants`.
    let work: URL
    let swift: String

    init(root: URL) {
        self.root = root
        work = root.appendingPathComponent(".build-mutants")
        swift = ProcessInfo.processInfo.environment["SWIFT"] ?? "swift"
    }

    var tree: URL { work.appendingPathComponent("tree") }
    /// The reference programs and tools as the unmutated tree builds them.
    var referenceBin: URL { work.appendingPathComponent("reference") }
    /// One folder of programs per mutant, removed once it has been checked.
    var mutantBins: URL { work.appendingPathComponent("bin") }
    var transcripts: URL { work.appendingPathComponent("transcripts") }

    // MARK: The copy

    /// Makes the tree equal to the package's committed and working files (untracked ones too, ignored ones not,
    /// build folders never; `Package.resolved` always, to build the same dependency versions). Only files whose
    /// content differs are written, so the build stays incremental. Returns how many were written.
    @discardableResult
    func sync() throws -> Int {
        try FolderSync.make(tree, hold: try packageFiles(), from: root)
    }

    /// The package's files, relative to its root.
    private func packageFiles() throws -> [String] {
        var files: [String]
        if let listed = try? Children.run(
            "git",
            ["-C", root.path, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            timeout: .seconds(60)
        ),
            listed.termination.succeeded
        {
            files = listed.standardOutput.split(separator: "\0").map(String.init)
        } else {
            // Not a git checkout: every file but hidden folders.
            files = ((FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String]) ?? [])
                .filter { !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
        }
        files.append("Package.resolved")
        return files.filter { path in
            !path.hasPrefix(".build") && !path.hasPrefix(".labcheck")
                && FileManager.default.isReadableFile(atPath: root.appendingPathComponent(path).path)
                && !FolderSync.isFolder(root.appendingPathComponent(path))
        }
    }

    /// Writes one file of the tree (a mutant, or the reference put back).
    func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: tree.appendingPathComponent(path))
    }

    // MARK: Building

    struct Build {
        let succeeded: Bool
        /// The compiler's complaints, when it failed.
        let errors: String
        let seconds: Double
    }

    /// `swift build --product` in the tree.
    func build(_ product: String) -> Build {
        let started = ContinuousClock.now
        let built = try? Children.run(
            swift,
            ["build", "-q", "--package-path", tree.path, "--product", product],
            timeout: .seconds(1800)
        )
        let elapsed = seconds(ContinuousClock.now - started)
        guard let built else {
            return Build(succeeded: false, errors: "could not run `\(swift) build`", seconds: elapsed)
        }
        let output = built.standardOutput + built.standardError
        return Build(succeeded: built.termination.succeeded, errors: Self.errors(in: output), seconds: elapsed)
    }

    /// A failed build's errors, each once (the compiler repeats them), the first with its source lines; paths
    /// are shown from the tree's root.
    static func errors(in output: String) -> String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.replacingOccurrences(of: #"[^ ]*/\.build-mutants/tree/"#, with: "", options: .regularExpression)
        }
        let errors = lines.indices.filter { lines[$0].contains("error:") && !lines[$0].contains("command failed") }
        guard let first = errors.first else { return lines.suffix(12).joined(separator: "\n") }
        var shown = [lines[first]]
        // The first error's source excerpt: the lines after it that the compiler indents or draws with `|`.
        shown += lines[(first + 1)...].prefix { $0.hasPrefix(" ") && !$0.contains("error:") }.prefix(8)
        var seen: Set<String> = [lines[first]]
        for index in errors.dropFirst() where seen.insert(lines[index]).inserted && seen.count <= 6 {
            shown.append(lines[index])
        }
        return shown.joined(separator: "\n")
    }

    /// Where the tree's builds put their programs.
    func binPath() throws -> URL {
        let shown = try Children.run(
            swift,
            ["build", "--package-path", tree.path, "--show-bin-path"],
            timeout: .seconds(120)
        )
        guard shown.termination.succeeded else {
            throw ValidationError("`swift build --show-bin-path` failed: \(shown.standardError)")
        }
        return URL(fileURLWithPath: shown.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Copies `products` from the tree's build into `folder`, replacing what is there.
    func copy(_ products: [String], from bin: URL, to folder: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        for product in products {
            let target = folder.appendingPathComponent(product)
            try? manager.removeItem(at: target)
            try manager.copyItem(at: bin.appendingPathComponent(product), to: target)
        }
    }

    /// A folder for one mutant: its rebuilt `products` copied from the tree's build, and links to the reference
    /// build for the lab's other programs and tools.
    func mutantBin(_ id: Int, rebuilt products: [String], from bin: URL, others: [String]) throws -> URL {
        let folder = mutantBins.appendingPathComponent("\(id)")
        try? FileManager.default.removeItem(at: folder)
        try copy(products, from: bin, to: folder)
        for other in others where !products.contains(other) {
            try FileManager.default.createSymbolicLink(
                at: folder.appendingPathComponent(other),
                withDestinationURL: referenceBin.appendingPathComponent(other)
            )
        }
        return folder
    }
}
