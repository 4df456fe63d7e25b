import Foundation
import ProcessKit
import TestSupport
import Testing

@testable import LabCheckKit

/// What the autograder takes from a submission, whatever shape a student gave it, and what it never takes.
@Suite struct SubmissionTests {
    static let names: Set<String> = ["Lab1Greeting", "Lab3EchoServer", "Lab5Given"]

    func withFolder(_ body: (String) throws -> Void) throws {
        let folder = try makeTemporaryDirectory(prefix: "submission")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    @Test func aCopyOfTheKitItsProgressFileAndNeverItsSolutions() throws {
        try withFolder { root in
            try write("// mine", to: root + "/network-labs/Sources/Lab1Greeting/Human.swift")
            try write("// mine", to: root + "/network-labs/Sources/Lab3EchoServer/EchoServer.swift")
            try write("// not the kit's", to: root + "/network-labs/Sources/LabCheckKit/Runner.swift")
            try write("// copied", to: root + "/network-labs/Solutions/Lab1Greeting/Human.swift")
            try write("// copied", to: root + "/network-labs/Solutions/Lab3EchoServer/EchoServer.swift")
            try write("// copied", to: root + "/network-labs/Solutions/Lab5Given/Given.swift")
            try write("2026-11-30T10:00:00Z lab 1 step 1 passed\n", to: root + "/network-labs/.labcheck/progress.log")
            let found = Submission.locate(in: root, names: Self.names)
            #expect(found.labsFolder == root + "/network-labs/Sources")
            #expect(found.labFolders == ["Lab1Greeting", "Lab3EchoServer"])
            #expect(found.progressLog == root + "/network-labs/.labcheck/progress.log")
        }
    }

    @Test func itsSourcesFolderOrTheLabFoldersThemselves() throws {
        try withFolder { root in
            try write("// mine", to: root + "/Sources/Lab1Greeting/Human.swift")
            #expect(Submission.locate(in: root, names: Self.names).labsFolder == root + "/Sources")
        }
        try withFolder { root in
            try write("// mine", to: root + "/Lab3EchoServer/EchoServer.swift")
            let found = Submission.locate(in: root, names: Self.names)
            #expect(found.labsFolder == root && found.labFolders == ["Lab3EchoServer"])
            #expect(found.progressLog == nil)
        }
    }

    @Test func aZipOfTheKitIsUnpacked() throws {
        try withFolder { root in
            let staging = root + "/staging"
            let submission = root + "/submission"
            try write("// mine", to: staging + "/kit/Sources/Lab1Greeting/Human.swift")
            try FileManager.default.createDirectory(atPath: submission, withIntermediateDirectories: true)
            let zipped = try run(["python3", "-m", "zipfile", "-c", submission + "/work.zip", "kit"], in: staging)
            try #require(zipped.termination.succeeded, "\(zipped.standardError)")
            try write("not a zip", to: submission + "/old.zip")
            let found = Submission.locate(in: submission, names: Self.names)
            defer { found.cleanUp() }
            #expect(found.labFolders == ["Lab1Greeting"])
            #expect(found.unpacked == [submission + "/work.zip"])
            #expect(found.unreadableZips == [submission + "/old.zip"])
            let notes = found.account(starters: ["Lab1Greeting", "Lab3EchoServer"], leftOut: [])
            #expect(
                notes.first
                    == "Taken from your submission (unpacked from work.zip): Lab1Greeting. Not in it, so the kit's own copy stands in (the starter): Lab3EchoServer."
            )
            #expect(notes.last == "Could not unpack old.zip: is it a zip file?")
        }
    }

    @Test func swiftFilesOutsideTheirLabFolderAreNamed() throws {
        try withFolder { root in
            try write("// mine", to: root + "/Human.swift")
            let found = Submission.locate(in: root, names: Self.names)
            #expect(found.labsFolder == nil)
            let note = try #require(found.account(starters: ["Lab1Greeting", "Lab3EchoServer"], leftOut: []).first)
            #expect(note.hasPrefix("No lab folder (Lab1Greeting, Lab3EchoServer, …) was found in your submission"))
            #expect(note.contains("It has Swift files (Human.swift) but not in their lab folders"))
        }
    }

    /// Taking a submission into a kit: its lab folders whole (a deleted file stays deleted), the starters back where
    /// it has none (after another submission), links left out, unchanged files untouched (no rebuild).
    @Test func takingASubmissionMirrorsItsLabFoldersAndRestoresTheStarters() throws {
        try withFolder { root in
            let kit = root + "/kit"
            let starters = kit + "/.autograder/starters"
            let submission = root + "/submission"
            for folder in [starters, kit + "/Sources"] {
                try write("// starter human", to: folder + "/Lab1Greeting/Human.swift")
                try write("// starter main", to: folder + "/Lab1Greeting/Greeting.swift")
                try write("// starter server", to: folder + "/Lab3EchoServer/EchoServer.swift")
            }
            try write("// the last student's server", to: kit + "/Sources/Lab3EchoServer/EchoServer.swift")
            try write("// the last student's extra", to: kit + "/Sources/Lab3EchoServer/Extra.swift")
            let old = Date(timeIntervalSince1970: 1_000_000)
            try FileManager.default.setAttributes(
                [.modificationDate: old],
                ofItemAtPath: kit + "/Sources/Lab1Greeting/Greeting.swift"
            )

            try write("// starter main", to: submission + "/Sources/Lab1Greeting/Greeting.swift")  // unchanged
            try write("// helpers", to: submission + "/Sources/Lab1Greeting/Helpers/Names.swift")
            try FileManager.default.createSymbolicLink(
                atPath: submission + "/Sources/Lab1Greeting/Secrets.swift",
                withDestinationPath: "/etc/passwd"
            )
            try write("2026-11-30T10:00:00Z lab 1 step 1 passed\n", to: submission + "/.labcheck/progress.log")

            let found = Submission.locate(in: submission, names: ["Lab1Greeting", "Lab3EchoServer"])
            let notes = try found.take(
                into: kit + "/Sources",
                starters: starters,
                progressDestination: kit + "/.labcheck/progress.log"
            )
            let files = try FileManager.default.subpathsOfDirectory(atPath: kit + "/Sources").sorted()
            #expect(
                files == [
                    "Lab1Greeting", "Lab1Greeting/Greeting.swift", "Lab1Greeting/Helpers",
                    "Lab1Greeting/Helpers/Names.swift",
                    "Lab3EchoServer", "Lab3EchoServer/EchoServer.swift",
                ],
                "Human.swift was not submitted, Secrets.swift is a link, Extra.swift was the last student's"
            )
            #expect(try read(kit + "/Sources/Lab3EchoServer/EchoServer.swift") == "// starter server")
            let modified =
                try FileManager.default.attributesOfItem(atPath: kit + "/Sources/Lab1Greeting/Greeting.swift")[
                    .modificationDate
                ] as? Date
            #expect(modified == old, "an unchanged file was written again (and its lab rebuilt)")
            #expect(try read(kit + "/.labcheck/progress.log").contains("lab 1 step 1 passed"))
            #expect(
                notes.contains(
                    "Left out (symbolic links or special files, which the grader does not follow): Lab1Greeting/Secrets.swift."
                )
            )
        }
    }
}
