import Foundation
import ProcessKit

/// A student's submission to the autograder, in whatever shape it came: a copy of the kit, its `Sources/` folder,
/// the lab folders themselves, or a zip of any of these (Gradescope unpacks an uploaded zip, but not one inside a
/// folder, nor a zip a student made of a zip).
///
/// Only the kit's own lab folders (`Sources/Lab1Greeting`, …, `Sources/Lab5Protocol`) are ever taken, by the
/// kit's names, into the kit's `Sources/`: nothing in a submission can replace the checker, its held-back checks,
/// the libraries or the Makefile.
public struct Submission: Sendable {
    /// The submission's folder that holds its lab folders (`submission/network-labs/Sources`); nil: none found.
    public let labsFolder: String?
    /// The lab folders found there, by name (`Lab1Greeting`), among the names asked for.
    public let labFolders: [String]
    /// The student's progress file (`.labcheck/progress.log`) beside those, when the submission has one.
    public let progressLog: String?
    /// Swift files the search saw outside any lab folder (a student who uploaded a folder's files, not the folder).
    public let looseSwiftFiles: [String]
    /// The zip the lab folders came from (or every zip unpacked, when none held them; kept until `cleanUp()`), and
    /// the zips that could not be unpacked.
    public let unpacked: [String]
    public let unreadableZips: [String]
    private let scratch: [String]

    /// Folders the search never enters: build products, git's own, the Mac's zip litter, the reference solutions.
    static let skipped: Set<String> = [".build", ".git", ".swiftpm", "__MACOSX", "Solutions", "node_modules"]
    /// How deep under the submission lab folders are looked for (`kit/Sources/Lab1Greeting` is 3 deep).
    static let depth = 5

    /// Finds the lab folders named `names` in `root` (unpacking the zips there when it has none outside them).
    public static func locate(in root: String, names: Set<String>) -> Submission {
        var found = search(root, names: names)
        var unpacked: [String] = []
        var unreadable: [String] = []
        var scratch: [String] = []
        if found.labsFolder == nil {
            for zip in found.zips {
                guard let folder = try? unzip(zip) else {
                    unreadable.append(zip)
                    continue
                }
                scratch.append(folder)
                unpacked.append(zip)
                let inside = search(folder, names: names)
                found.loose += inside.loose
                if inside.labsFolder != nil {
                    found = Found(
                        labsFolder: inside.labsFolder,
                        labFolders: inside.labFolders,
                        loose: found.loose,
                        zips: []
                    )
                    unpacked = [zip]  // the one the labs came from
                    break
                }
            }
        }
        return Submission(
            labsFolder: found.labsFolder,
            labFolders: found.labFolders,
            progressLog: found.labsFolder.flatMap { progressLog(near: $0, within: [root] + scratch) },
            looseSwiftFiles: found.loose,
            unpacked: unpacked,
            unreadableZips: unreadable,
            scratch: scratch
        )
    }

    /// Removes the folders zips were unpacked into.
    public func cleanUp() {
        for folder in scratch { try? FileManager.default.removeItem(atPath: folder) }
    }

    // MARK: Taking it into the kit

    /// Puts the submission's lab folders in place of the kit's under `sources` (each whole: a file the student
    /// deleted is gone), and the kit's pristine starters (`starters`) back wherever the submission has none — so an
    /// autograder kit can grade one submission after another. A file whose bytes are already there is left alone,
    /// so the build redoes only the labs the student changed. Symbolic links and special files are left out: a
    /// link could point anywhere on the grader. The progress file, when there is one, goes to `progressDestination`.
    /// Returns what a student should read about it.
    public func take(into sources: String, starters: String, progressDestination: String?) throws -> [String] {
        let manager = FileManager.default
        let names = try manager.contentsOfDirectory(atPath: starters).filter { !$0.hasPrefix(".") }.sorted()
        var leftOut: [String] = []
        for name in names {
            if let labsFolder, labFolders.contains(name) {
                leftOut += try Self.mirror(labsFolder + "/" + name, to: sources + "/" + name, shownAs: name)
            } else {
                _ = try Self.mirror(starters + "/" + name, to: sources + "/" + name, shownAs: name)
            }
        }
        if let progressDestination {
            try? manager.removeItem(atPath: progressDestination)
            if let progressLog {
                try manager.createDirectory(
                    atPath: (progressDestination as NSString).deletingLastPathComponent,
                    withIntermediateDirectories: true
                )
                try manager.copyItem(atPath: progressLog, toPath: progressDestination)
            }
        }
        return account(starters: names, leftOut: leftOut)
    }

    /// What was taken, and what to do when it was not what the student meant.
    func account(starters: [String], leftOut: [String]) -> [String] {
        var notes: [String] = []
        let zips =
            unpacked.isEmpty
            ? "" : " (unpacked from \(unpacked.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")))"
        if labFolders.isEmpty {
            var text =
                "No lab folder (\(starters.prefix(2).joined(separator: ", ")), …) was found in your submission\(zips)"
            text += ", so every lab was graded as the untouched starter."
            if !looseSwiftFiles.isEmpty {
                let shown = looseSwiftFiles.prefix(3).map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
                text +=
                    " It has Swift files (\(shown)) but not in their lab folders: submit the folders, not the files in them."
            }
            text += " Submit your copy of the kit (or its Sources folder, or a zip of either)."
            notes.append(text)
        } else {
            let kept = starters.filter { !labFolders.contains($0) }
            notes.append(
                "Taken from your submission\(zips): \(labFolders.joined(separator: ", "))."
                    + (kept.isEmpty
                        ? ""
                        : " Not in it, so the kit's own copy stands in (the starter): \(kept.joined(separator: ", ")).")
                    + (progressLog == nil ? "" : " Your progress file (.labcheck/progress.log) came along.")
            )
        }
        if !unreadableZips.isEmpty {
            notes.append(
                "Could not unpack \(unreadableZips.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")): is it a zip file?"
            )
        }
        if !leftOut.isEmpty {
            notes.append(
                "Left out (symbolic links or special files, which the grader does not follow): \(leftOut.prefix(5).joined(separator: ", "))\(leftOut.count > 5 ? ", …" : "")."
            )
        }
        return notes
    }

    // MARK: Searching

    private struct Found {
        var labsFolder: String?
        var labFolders: [String] = []
        var loose: [String] = []
        var zips: [String] = []
    }

    /// The folder with the most lab folders in it (breadth first: the shallowest of equals).
    private static func search(_ root: String, names: Set<String>) -> Found {
        let manager = FileManager.default
        var found = Found()
        var best: (folder: String, labs: [String])?
        var queue: [(String, Int)] = [(root, 0)]
        while !queue.isEmpty {
            let (folder, depth) = queue.removeFirst()
            guard let entries = try? manager.contentsOfDirectory(atPath: folder) else { continue }
            var labs: [String] = []
            for entry in entries.sorted() {
                let path = folder + "/" + entry
                guard let type = kind(of: path) else { continue }
                if type == .typeDirectory {
                    if names.contains(entry) {
                        labs.append(entry)
                    } else if depth < Self.depth && !entry.hasPrefix(".") && !skipped.contains(entry) {
                        queue.append((path, depth + 1))
                    }
                } else if type == .typeRegular {
                    if entry.lowercased().hasSuffix(".zip") && depth <= 2 { found.zips.append(path) }
                    if entry.hasSuffix(".swift") { found.loose.append(path) }
                }
            }
            if !labs.isEmpty, labs.count > (best?.labs.count ?? 0) {
                best = (folder, labs)
            }
        }
        found.labsFolder = best?.folder
        found.labFolders = best?.labs ?? []
        return found
    }

    /// The progress file of the kit copy whose lab folders are in `labsFolder` (`…/Sources` or the copy itself),
    /// if it is a plain file inside one of `roots` (the submission, or a zip's folder).
    private static func progressLog(near labsFolder: String, within roots: [String]) -> String? {
        let roots = roots.map { URL(fileURLWithPath: $0).standardizedFileURL.path + "/" }
        let candidates = [
            labsFolder + "/../" + StudentProgress.defaultPath, labsFolder + "/" + StudentProgress.defaultPath,
        ]
        return candidates.map { URL(fileURLWithPath: $0).standardizedFileURL.path }.first { path in
            roots.contains { path.hasPrefix($0) } && kind(of: path) == .typeRegular
        }
    }

    /// Unpacks a zip into a new temporary folder, with Python's zipfile (which keeps every path inside the folder).
    private static func unzip(_ zip: String) throws -> String {
        let folder = NSTemporaryDirectory() + "labkit-submission-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let finished = try ChildProcess.run("python3", ["-m", "zipfile", "-e", zip, folder], timeout: .seconds(120))
        guard finished.termination.succeeded else {
            try? FileManager.default.removeItem(atPath: folder)
            throw CocoaError(.fileReadCorruptFile)
        }
        return folder
    }

    /// Makes `destination` hold what `source` holds, directories and regular files only, writing only the files
    /// that differ; returns the (shown) paths of what it left out.
    private static func mirror(_ source: String, to destination: String, shownAs shown: String) throws -> [String] {
        let manager = FileManager.default
        if kind(of: destination) != .typeDirectory {
            try? manager.removeItem(atPath: destination)
            try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
        }
        var leftOut: [String] = []
        var kept: Set<String> = []
        for entry in try manager.contentsOfDirectory(atPath: source).sorted() {
            let from = source + "/" + entry
            let to = destination + "/" + entry
            switch kind(of: from) {
            case .typeDirectory? where entry != ".build":
                leftOut += try mirror(from, to: to, shownAs: shown + "/" + entry)
                kept.insert(entry)
            case .typeRegular?:
                let bytes = try Data(contentsOf: URL(fileURLWithPath: from))
                if kind(of: to) != .typeRegular || manager.contents(atPath: to) != bytes {
                    try? manager.removeItem(atPath: to)
                    try bytes.write(to: URL(fileURLWithPath: to))
                }
                kept.insert(entry)
            case .typeDirectory?:
                break
            default:
                leftOut.append(shown + "/" + entry)
            }
        }
        for entry in try manager.contentsOfDirectory(atPath: destination) where !kept.contains(entry) {
            try manager.removeItem(atPath: destination + "/" + entry)
        }
        return leftOut
    }

    /// What is at `path` itself (a link is a link, not what it points to); nil: nothing.
    private static func kind(of path: String) -> FileAttributeType? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
    }
}
