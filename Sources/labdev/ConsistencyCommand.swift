import ArgumentParser
import Foundation
import LabCheckKit
import LabDevKit

/// `make consistency`: the tree agrees with itself (see `Consistency`). Quick: it reads files and
/// `swift package describe`, and builds nothing.
struct ConsistencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency",
        abstract: "Prove that the kit's lists, mirrors, steps and handouts agree.",
        discussion: """
            Each lab program listed once in Package.swift and once in its lab's checks, and the same in both; no \
            stray folder under Sources/, Solutions/ or Tests/; every Solutions/X file beside its Sources/X twin, with \
            the code the starter gives whole equal to the reference's; every step with a hint, a TODO that names it \
            and its handout anchor id="step-N"; every folder the student copy leaves out a real one.
            """
    )

    /// Steps that no TODO can name, and why: each checks again, in another way, code that earlier steps' TODOs
    /// name. (`make mutants` lists them among the steps no mutant fails first.)
    static let provenOtherwise: [Int: [Int: String]] = [:]

    func run() throws {
        let layout = try PackageLayout.described()
        var problems: [String] = []

        let products = Set(layout.targets.flatMap { $0.productMemberships ?? [] })
        let labs = allLabs.map(facts)
        problems += Consistency.programProblems(products: products, labs: labs)

        let targetPaths = Set(layout.targets.map(\.path))
        let folders = ["Sources", "Solutions", "Tests"].flatMap { root in
            subfolders(of: root).map { root + "/" + $0 }
        }
        problems += Consistency.strayFolders(folders, targetPaths: targetPaths)

        for reference in layout.targets where reference.path.hasPrefix(PackageLayout.referenceRoot) {
            let starterFolder = PackageLayout.starterRoot + reference.path.dropFirst(PackageLayout.referenceRoot.count)
            problems += Consistency.mirrorProblems(
                starterFolder: starterFolder,
                starter: swiftFiles(in: starterFolder),
                referenceFolder: reference.path,
                reference: swiftFiles(in: reference.path)
            )
        }

        for lab in labs { problems += Consistency.stepProblems(lab) }
        for omission in StudentKit.instructorOnly where !FileManager.default.fileExists(atPath: omission.path) {
            // The autograding workflow is the grading helper's to write; the rest must exist to be left out.
            if omission.path != ".github/classroom" {
                problems.append(
                    "the student copy leaves out \(omission.path), which does not exist (StudentKit.instructorOnly)"
                )
            }
        }

        guard problems.isEmpty else {
            print("The kit disagrees with itself in \(problems.count) place\(problems.count == 1 ? "" : "s"):")
            for problem in problems { print("  ✘ " + problem) }
            throw ExitCode.failure
        }
        let steps = labs.map(\.steps.count).reduce(0, +)
        print(
            "Consistent: \(labs.flatMap(\.programs).count) lab programs, \(steps) steps in \(labs.count) labs, "
                + "\(layout.targets.filter { $0.path.hasPrefix(PackageLayout.referenceRoot) }.count) mirrored modules, "
                + "\(folders.count) folders."
        )
    }

    private func facts(_ lab: Lab) -> Consistency.LabFacts {
        var starterFiles: [String: String] = [:]
        for folder in lab.sourceFolders() {
            for (name, text) in swiftFiles(in: folder) { starterFiles[folder + "/" + name] = text }
        }
        return Consistency.LabFacts(
            number: lab.number,
            programs: lab.programs,
            steps: lab.steps.map { ($0.number, $0.hint) },
            handoutPath: lab.handout,
            handout: try? String(contentsOfFile: lab.handout, encoding: .utf8),
            starterFiles: starterFiles,
            provenOtherwise: Self.provenOtherwise[lab.number] ?? [:]
        )
    }

    private func subfolders(of folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder)
                && isFolder.boolValue
        }
    }

    /// The `.swift` files under `folder` (nested ones by their path below it), name → text.
    private func swiftFiles(in folder: String) -> [String: String] {
        let names = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String]) ?? []
        var files: [String: String] = [:]
        for name in names where name.hasSuffix(".swift") {
            files[name] = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        }
        return files
    }
}
