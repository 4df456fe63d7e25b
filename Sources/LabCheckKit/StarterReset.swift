import Foundation
import ProcessKit
import SwiftScanner

/// `make reset LAB=n [STEP=k]`: the lab's starter code put back — all of it, or only the functions whose starter
/// bodies name step k — after the student's versions are saved under `.labcheck/saved/<time>/`.
///
/// The committed starter of a file is its version in the commit that added it: in a student's clone, the kit as
/// it was handed out. A later commit's version counts as the starter too as long as no commit since the adding one
/// took a not-implemented marker out (each has as many as the one before, or more): a teacher's fix to a starter,
/// or this repository's own history of its starters, is followed, while a commit of solved work — which takes
/// out the marker of the step it solves — never is. Files the student added and committed count from their first
/// version, like the kit's own; files never committed are left alone.
///
/// In the kit's own repository (the instructor's copy, with `Solutions/`), `Sources/` holds nothing but starters —
/// the solutions are in `Solutions/`, and starters are rewritten as the labs evolve — so there the committed
/// starter is simply the file as HEAD has it.
public struct StarterReset {
    /// What a reset does to one file.
    public struct Change: Sendable {
        /// `Sources/Lab3EchoServer/EchoServer.swift`.
        public let path: String
        /// The commit the starter comes from, short, and its subject.
        public let commit: String
        /// The file as the student has it; nil when it is missing.
        public let current: [UInt8]?
        /// What the file becomes.
        public let result: [UInt8]
        /// With a step: the functions put back (`EchoServer.serve(_:)`), and the steps each names.
        public let functions: [(name: String, steps: [Int])]
        /// With a step: the step's functions the student's file no longer has (renamed or deleted): not put back.
        public let missing: [String]
    }

    public let lab: Lab
    /// Only the functions whose starter bodies name this step; nil: whole files.
    public let step: Int?
    /// The kit's folder (a git working tree, or inside one).
    public let root: String
    /// The kit's own repository, whose `Sources/` are starters at HEAD (see above).
    public let headIsStarter: Bool

    public init(lab: Lab, step: Int?, root: String = ".") {
        self.lab = lab
        self.step = step
        self.root = root
        headIsStarter = FileManager.default.fileExists(atPath: root + "/Solutions")
    }

    // MARK: The plan

    /// What would change, file by file (files already as the starter has them are left out). Throws a `Failure`-style
    /// error (ResetProblem) when git cannot tell.
    public func plan() throws -> [Change] {
        let git = try Git(root: root)
        let files = try git.trackedFiles(under: labFolders(git))
        guard !files.isEmpty else {
            throw ResetProblem(
                "no commit has lab \(lab.number)'s code (Sources/Lab\(lab.number)…): make reset puts back the starter from git's history, so the lab's files must have been committed — commit them (git add Sources && git commit), or take the starter from a fresh copy of the kit"
            )
        }
        return try files.compactMap { path in try change(of: path, git: git) }
    }

    /// Files in the lab's folders that git does not know (the student's own, never committed): a reset leaves them.
    public func untrackedFiles() throws -> [String] {
        let git = try Git(root: root)
        let folders = try labFolders(git)
        guard !folders.isEmpty else { return [] }
        return try git.run(["ls-files", "--others", "--exclude-standard", "--"] + folders).split(separator: "\n").map(
            String.init
        )
    }

    /// The lab's folders under `Sources/`, relative to the working tree's top: those on disk and those in HEAD (a
    /// folder the student deleted is still the lab's).
    private func labFolders(_ git: Git) throws -> [String] {
        let sources = git.relative(root + "/Sources")
        let onDisk = lab.sourceFolders(in: root + "/Sources").map { git.relative($0) }
        let inGit = (try? git.run(["ls-tree", "--name-only", "HEAD", sources + "/"]))?.split(separator: "\n") ?? []
        let committed = inGit.map { String($0) }.filter { path in
            let name = path.dropFirst(sources.count + 1)
            return name.hasPrefix("Lab\(lab.number)")
                && name.dropFirst("Lab\(lab.number)".count).first?.isUppercase == true
        }
        return Array(Set(onDisk + committed)).sorted()
    }

    private func change(of path: String, git: Git) throws -> Change? {
        let (commit, starter) = try git.committedStarter(of: path, headIsStarter: headIsStarter)
        let onDisk = git.top + "/" + path
        let current = FileManager.default.contents(atPath: onDisk).map { Array($0) }
        guard let step else {
            guard current != starter else { return nil }
            return Change(path: path, commit: commit, current: current, result: starter, functions: [], missing: [])
        }
        // One step: the bodies of the starter that name it, put back into the student's file.
        let starterSource = SwiftSource(bytes: starter)
        let declarations = starterSource.declarations.filter(\.hasCode)
        let owned = starterSource.workByDeclaration(declarations).owned
        let named = owned.filter { $0.value.contains { $0.steps.contains(step) } }.keys.sorted()
        guard !named.isEmpty else { return nil }
        guard let current else {
            let functions = named.map { (declarations[$0].qualifiedName, steps(owned[$0]!)) }
            return Change(path: path, commit: commit, current: nil, result: starter, functions: functions, missing: [])
        }
        let mine = SwiftSource(bytes: current)
        let twins = mine.counterparts(of: declarations)
        var replacements: [(Declaration, [UInt8])] = []
        var functions: [(name: String, steps: [Int])] = []
        var missing: [String] = []
        for index in named {
            let declaration = declarations[index]
            guard let twin = twins[index] else {
                missing.append(declaration.qualifiedName)
                continue
            }
            // A function inside another one being put back goes back with it.
            if named.contains(where: { $0 != index && declarations[$0].body.contains(declaration.body.lowerBound) }) {
                continue
            }
            let body = Array(starter[declaration.body])
            guard Array(current[twin.body]) != body else { continue }
            replacements.append((twin, body))
            functions.append((declaration.qualifiedName, steps(owned[index]!)))
        }
        guard !replacements.isEmpty || !missing.isEmpty else { return nil }
        let imports = replacements.isEmpty ? [] : starterSource.imports(missingFrom: mine)
        let result = replacements.isEmpty ? current : mine.replacingBodies(replacements, adding: imports)
        return Change(
            path: path,
            commit: commit,
            current: current,
            result: result,
            functions: functions,
            missing: missing
        )
    }

    private func steps(_ labels: [WorkLabel]) -> [Int] {
        Set(labels.flatMap(\.steps)).sorted()
    }

    // MARK: Doing it

    /// Saves the student's version of every file that changes under `.labcheck/saved/<time>/` (returned), then
    /// writes the starter's.
    public func apply(_ changes: [Change], savedIn labcheck: String = ".labcheck", now: Date = Date()) throws -> String?
    {
        let toChange = changes.filter { $0.current != $0.result }
        guard !toChange.isEmpty else { return nil }
        let git = try Git(root: root)
        let saved = try savedFolder(labcheck, now)
        for change in toChange {
            guard let current = change.current else { continue }
            let copy = URL(fileURLWithPath: saved + "/" + change.path)
            try FileManager.default.createDirectory(
                at: copy.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try Data(current).write(to: copy)
        }
        for change in toChange {
            let file = URL(fileURLWithPath: git.top + "/" + change.path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try Data(change.result).write(to: file, options: .atomic)
        }
        return saved
    }

    /// `.labcheck/saved/2026-05-02-140311`, a new folder (`-2`, `-3`, … when two resets share a second).
    private func savedFolder(_ labcheck: String, _ now: Date) throws -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.dateFormat = "yyyy-MM-dd-HHmmss"
        let base = "\(labcheck)/saved/\(format.string(from: now))"
        var folder = base
        var number = 2
        while FileManager.default.fileExists(atPath: folder) {
            folder = "\(base)-\(number)"
            number += 1
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// Why a reset cannot be done, in a sentence that says what to do instead.
public struct ResetProblem: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The few git commands a reset needs, run in the kit's working tree.
private struct Git {
    /// The working tree's top folder.
    let top: String
    let root: String

    init(root: String) throws {
        self.root = root
        let finished: ChildProcess.Finished
        do {
            finished = try ChildProcess.run("git", ["-C", root, "rev-parse", "--show-toplevel"], timeout: .seconds(30))
        } catch {
            throw ResetProblem(
                "git is not installed: make reset takes the starter from git's history — install git (Debian: sudo apt-get install git), or copy the lab's folder from a fresh copy of the kit"
            )
        }
        guard finished.termination.succeeded else {
            throw ResetProblem(
                "this folder is not in a git repository, so there is no committed starter to go back to — a kit downloaded as a zip has no history: copy the lab's folder under Sources/ from a fresh copy of the kit (or clone the kit with git, and work in the clone)"
            )
        }
        top = finished.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (try? run(["rev-parse", "--verify", "--quiet", "HEAD"])) != nil else {
            throw ResetProblem(
                "this git repository has no commit yet, so there is no committed starter to go back to — commit the kit as you got it first (git add -A && git commit -m starter)"
            )
        }
    }

    func run(_ arguments: [String]) throws -> String {
        let finished = try ChildProcess.run("git", ["-C", top] + arguments, timeout: .seconds(60))
        guard finished.termination.succeeded else {
            throw ResetProblem(
                "git \(arguments.joined(separator: " ")) failed: \(finished.standardError.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return finished.standardOutput
    }

    /// `path` (under `root`) relative to the working tree's top.
    func relative(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let topPath = URL(fileURLWithPath: top).standardizedFileURL.path
        return absolute.hasPrefix(topPath + "/") ? String(absolute.dropFirst(topPath.count + 1)) : path
    }

    /// The files of `folders` in HEAD's tree, sorted.
    func trackedFiles(under folders: [String]) throws -> [String] {
        guard !folders.isEmpty else { return [] }
        let listing = try run(["ls-tree", "-r", "--name-only", "HEAD", "--"] + folders)
        return listing.split(separator: "\n").map(String.init).sorted()
    }

    /// The commit (short id and subject) and text of a file's committed starter: its version where it was added,
    /// or in a later commit for as long as no commit since took a not-implemented marker out.
    func committedStarter(of path: String, headIsStarter: Bool) throws -> (commit: String, text: [UInt8]) {
        if headIsStarter {
            let last = try run(["log", "-1", "--format=%h \"%s\"", "--", path]).trimmingCharacters(
                in: .whitespacesAndNewlines
            )
            return (last, try show("HEAD", path))
        }
        guard
            let added = try run(["log", "--format=%H", "--diff-filter=A", "-n", "1", "--", path])
                .split(separator: "\n").first.map(String.init)
        else {
            throw ResetProblem("git has no commit that added \(path)")
        }
        var chosen = (added, try show(added, path))
        var markers = Self.markerCount(chosen.1)
        let later = try run(["log", "--format=%H", "--reverse", "\(added)..HEAD", "--", path]).split(separator: "\n")
        for commit in later.map(String.init) {
            guard let text = try? show(commit, path) else { break }
            let count = Self.markerCount(text)
            guard count >= markers else { break }
            chosen = (commit, text)
            markers = count
        }
        let subject = try run(["log", "-1", "--format=%h \"%s\"", chosen.0]).trimmingCharacters(
            in: .whitespacesAndNewlines
        )
        return (subject, chosen.1)
    }

    private func show(_ commit: String, _ path: String) throws -> [UInt8] {
        Array(try run(["show", "\(commit):\(path)"]).utf8)
    }

    /// How many not-implemented markers the file holds. Solving a step takes its marker out; a teacher who
    /// rewrites a starter (moves work between steps, splits a function) keeps as many or adds some.
    private static func markerCount(_ text: [UInt8]) -> Int {
        let source = SwiftSource(bytes: text)
        let labels = source.workByDeclaration(source.declarations.filter(\.hasCode))
        return labels.owned.values.joined().filter { $0.kind == .marker }.count
            + labels.stray.filter { $0.kind == .marker }.count
    }
}
