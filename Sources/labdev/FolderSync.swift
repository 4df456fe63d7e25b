import Foundation

/// A private copy of a package's files that a build can work in incrementally: the build trees of `labdev mutants`
/// and `labdev student-kit`.
enum FolderSync {
    /// Makes `tree` hold exactly `files` (paths relative to `source`) as `source` has them, its own build folders
    /// (`.build…`) aside. Only files whose content differs are written, so that a build in `tree` recompiles only
    /// what changed. Returns how many were written.
    @discardableResult
    static func make(_ tree: URL, hold files: [String], from source: URL) throws -> Int {
        let manager = FileManager.default
        try manager.createDirectory(at: tree, withIntermediateDirectories: true)
        var written = 0
        for path in files {
            let target = tree.appendingPathComponent(path)
            let data = try Data(contentsOf: source.appendingPathComponent(path))
            if (try? Data(contentsOf: target)) == data { continue }
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: target)
            written += 1
        }
        // Files the package no longer has.
        let wanted = Set(files)
        let walk = manager.enumerator(at: tree, includingPropertiesForKeys: [.isDirectoryKey])
        while let url = walk?.nextObject() as? URL {
            let path = url.relativePath(from: tree)
            if path.hasPrefix(".build") {
                walk?.skipDescendants()
            } else if !isFolder(url) && !wanted.contains(path) {
                try manager.removeItem(at: url)
            }
        }
        return written
    }

    static func isFolder(_ url: URL) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &folder) && folder.boolValue
    }
}
