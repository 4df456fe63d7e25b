import ArgumentParser
import Foundation
import LabCheckKit
import LabDevKit

/// `make student-kit DEST=dir`: the copy of the kit a teacher hands out. Made from the last commit, never from the
/// working files (a checkout where the labs were tried would hand out solved code), without what only instructors
/// need (`StudentKit.instructorOnly`), and with the reference programs built for this machine in their place.
struct StudentKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "student-kit",
        abstract:
            "Write the copy of the kit to hand out: the last commit, without the solutions, with the reference programs built.",
        discussion: """
            The copy is made from HEAD (git archive), so uncommitted changes are never in it. It leaves out \
            Solutions/ and whatever else only instructors need (Sources/LabDevKit/StudentKit.swift lists them), puts \
            the reference programs in Labs/reference/PLATFORM/ as optimised executables (built in \
            .build-student-kit/, never from your working files), a README of its own, and Labs/KIT-VERSION, which \
            names the commit.
            """
    )

    @Option(help: "The folder to write the copy to; it must not exist yet.")
    var dest: String

    @Option(
        help:
            "The kind of machine the reference programs are built for, as the Makefile names it (linux-x86_64, darwin-arm64)."
    )
    var platform: String

    @Option(
        help: ArgumentHelp("Where to build the reference programs (default: .build-student-kit).", valueName: "folder")
    )
    var work: String?

    func validate() throws {
        guard !FileManager.default.fileExists(atPath: dest) else {
            throw ValidationError("\(dest) already exists: choose a new folder")
        }
        guard FileManager.default.fileExists(atPath: "Solutions") else {
            throw ValidationError("make student-kit needs the instructor's copy of the kit (with Solutions/)")
        }
        guard !platform.isEmpty, platform.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("--platform \(platform): expected a name such as linux-x86_64")
        }
    }

    func run() throws {
        Children.stopAllOnInterrupt()
        let started = ContinuousClock.now
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let work =
            work.map { URL(fileURLWithPath: $0, relativeTo: root).standardizedFileURL }
            ?? root.appendingPathComponent(".build-student-kit")
        let destination = URL(fileURLWithPath: dest, relativeTo: root).standardizedFileURL

        let commit = try CommittedTree(root: root)
        print("Making the student copy from commit \(commit.shortID) (\(commit.date)): \(commit.subject)")
        if commit.uncommittedChanges > 0 {
            print(
                "  (\(commit.uncommittedChanges) uncommitted change(s) in this checkout are not in it: it is made from the last commit)"
            )
        }
        let export = work.appendingPathComponent("export")
        try commit.export(to: export)

        // The reference programs, built from the same commit in a tree of their own that stays between runs.
        let tree = work.appendingPathComponent("tree")
        try FolderSync.make(tree, hold: commit.files, from: export)
        let reference = ReferenceBuild(tree: tree)
        let products = reference.products
        print(
            "Building the reference programs optimised (\(products.count) programs; the first time takes a few minutes)…"
        )
        try reference.build(products)

        let copied = try writeCopy(from: export, files: commit.files, to: destination, commit: commit)
        let programs = destination.appendingPathComponent(StudentKit.referenceFolder + "/" + platform)
        let libraries = try reference.install(products, into: programs)

        let size = Self.folderSize(destination)
        let programsSize = Self.folderSize(programs)
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        print(
            """
            Student kit written to \(dest): \(copied) files from commit \(commit.shortID), and \(products.count) reference \
            programs for \(platform)\(libraries > 0 ? " with the \(libraries) Swift runtime libraries they need" : "") \
            in \(StudentKit.referenceFolder)/\(platform)/ — \(Self.megabytes(size)) in all, \
            \(Self.megabytes(programsSize)) of them the programs (\(Int(seconds)) s).
            It has no Solutions/. Try: cd \(dest) && make demo && make check LAB=1
            For students on another kind of machine, make a copy there too and add its \(StudentKit.referenceFolder)/ folder to this one.
            """
        )
    }

    /// Copies the committed files the student copy keeps, and writes what it has of its own. Returns how many
    /// files it has.
    private func writeCopy(from export: URL, files: [String], to destination: URL, commit: CommittedTree) throws -> Int
    {
        let manager = FileManager.default
        let kept = files.filter { !StudentKit.isInstructorOnly($0) }
        for path in kept {
            let target = destination.appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try manager.copyItem(at: export.appendingPathComponent(path), to: target)  // keeps the executable bit
        }
        var written = kept.count

        func write(_ text: String, to path: String) throws {
            let target = destination.appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !manager.fileExists(atPath: target.path) { written += 1 }
            try Data(text.utf8).write(to: target)
        }
        let template = try String(
            contentsOf: export.appendingPathComponent(StudentKit.readmeTemplate),
            encoding: .utf8
        )
        try write(StudentKit.readme(template: template, commit: commit.shortID, date: commit.date), to: "README.md")
        if files.contains(".gitignore") {
            let ignored = try String(contentsOf: export.appendingPathComponent(".gitignore"), encoding: .utf8)
            try write(StudentKit.studentGitignore(ignored), to: ".gitignore")
        }
        let classroom = StudentKit.classroomWorkflow
        if files.contains(classroom.source) {
            try write(
                try String(contentsOf: export.appendingPathComponent(classroom.source), encoding: .utf8),
                to: classroom.copy
            )
        }
        try write(
            """
            commit \(commit.id)
            date \(commit.date)
            subject \(commit.subject)
            reference programs \(platform), built \(ISO8601DateFormatter().string(from: Date())) with \(ReferenceBuild.swiftVersion())

            """,
            to: StudentKit.versionFile
        )
        return written
    }

    /// Bytes of every file under `folder`.
    static func folderSize(_ folder: URL) -> Int {
        let walk = FileManager.default.enumerator(
            at: folder,
            includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]
        )
        var total = 0
        while let url = walk?.nextObject() as? URL {
            let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            if values?.isRegularFile == true { total += values?.fileSize ?? 0 }
        }
        return total
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}

/// The last commit of the checkout: its files as committed, whatever the working tree holds.
struct CommittedTree {
    let root: URL
    let id: String
    let shortID: String
    let date: String
    let subject: String
    /// Every committed file, relative to the root.
    let files: [String]
    /// Tracked files whose working copy differs from the commit.
    let uncommittedChanges: Int

    init(root: URL) throws {
        self.root = root
        func git(_ arguments: String...) throws -> String {
            let run = try Children.run("git", ["-C", root.path] + arguments, timeout: .seconds(120))
            guard run.termination.succeeded else {
                throw ValidationError(
                    "`git \(arguments.joined(separator: " "))` failed: \(run.standardError)"
                        + "\nThe student copy is made from the last commit: run make student-kit in a git checkout of the kit."
                )
            }
            return run.standardOutput
        }
        let shown = try git("log", "-1", "--format=%H%n%h%n%cs%n%s", "HEAD").split(
            separator: "\n",
            omittingEmptySubsequences: false
        )
        guard shown.count >= 4 else { throw ValidationError("git log printed no commit") }
        (id, shortID, date, subject) = (String(shown[0]), String(shown[1]), String(shown[2]), String(shown[3]))
        files = try git("ls-tree", "-r", "-z", "--name-only", "HEAD").split(separator: "\0").map(String.init)
        uncommittedChanges = try git("status", "--porcelain", "--untracked-files=no").split(separator: "\n").count
    }

    /// Writes the commit's files to `folder` (emptied first).
    func export(to folder: URL) throws {
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let archive = folder.appendingPathComponent("../export.tar").standardizedFileURL
        defer { try? FileManager.default.removeItem(at: archive) }
        for (command, arguments) in [
            ("git", ["-C", root.path, "archive", "--format=tar", "-o", archive.path, id]),
            ("tar", ["-xf", archive.path, "-C", folder.path]),
        ] {
            let run = try Children.run(command, arguments, timeout: .seconds(300))
            guard run.termination.succeeded else {
                throw ValidationError("\(command) \(arguments.joined(separator: " ")) failed: \(run.standardError)")
            }
        }
    }
}
