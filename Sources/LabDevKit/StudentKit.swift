/// What the student copy of the kit (`make student-kit`) leaves out, and where it puts what it adds: the one list.
///
/// The targets among these are the ones `Package.swift` declares only when `Solutions/` exists (or, for
/// `Sources/HeldBackChecks`, only when that folder does); `make student-kit-test` proves that the two agree: every
/// folder under `Sources/` and `Tests/` of a student copy is a target of its manifest, and it builds and tests.
public enum StudentKit {
    /// A path left out of the copy (a folder, with everything under it, or a file), and why.
    public struct Omission: Sendable {
        public let path: String
        public let why: String

        public init(_ path: String, _ why: String) {
            self.path = path
            self.why = why
        }

        /// Whether `file` (a path relative to the package's root) is this path or lies under it.
        public func covers(_ file: String) -> Bool {
            file == path || file.hasPrefix(path.hasSuffix("/") ? path : path + "/")
        }
    }

    public static let instructorOnly: [Omission] = [
        Omission(
            "Solutions",
            "the reference solutions: the copy has them built, in Labs/reference/, never their source"
        ),
        Omission("Sources/HeldBackChecks", "the grader's held-back checks, with values the handouts never show"),
        Omission("Sources/labdev", "labdev, the instructor's tool (make mutants, make student-kit)"),
        Omission("Sources/LabDevKit", "labdev's Swift scanner"),
        Omission("Tests/LabDevTests", "labdev's tests"),
        Omission("Tests/LabCheckTests", "runs the reference solutions through every check"),
        Omission("Tests/LabProgramTests", "runs the reference programs against outside peers"),
        Omission("Tests/Lab5Tests", "tests lab 5's reference codec and models"),
        Omission("Tests/PlatformTests", "tests the instructor's CI workflow, CI script and platform lint"),
        Omission(
            "Tests/GradingTests",
            "grades the reference solutions end to end (autograder, Classroom, class report)"
        ),
        Omission(".github/workflows/ci.yml", "the kit's own CI (make test on Linux and macOS, the mutants)"),
        Omission(".github/classroom", "the autograding workflow: the copy has it as .github/workflows/classroom.yml"),
        Omission(".ci/run", "CI's script: make test, make mutants, make student-kit-test"),
        Omission(".ci/autograder", "Gradescope's autograder (make autograder), with the held-back checks"),
        Omission(".ci/darwin-typecheck", "a maintainer's check of the Darwin code against a macOS SDK"),
        Omission(".ci/DarwinOverlay.swift", "used by .ci/darwin-typecheck"),
    ]

    /// Whether the copy leaves `file` out.
    public static func isInstructorOnly(_ file: String) -> Bool {
        instructorOnly.contains { $0.covers(file) }
    }

    /// The autograding workflow, when the kit has one, and where the copy puts it: GitHub runs the workflows of
    /// `.github/workflows/` in a student's repository, and the kit's own CI must not run there.
    public static let classroomWorkflow = (
        source: ".github/classroom/classroom.yml", copy: ".github/workflows/classroom.yml"
    )

    /// The student copy's README, a template: `{{COMMIT}}` and `{{DATE}}` are filled in.
    public static let readmeTemplate = "Sources/labdev/StudentKit/README.md"

    /// Where the reference programs go in the copy, one folder per platform (`linux-x86_64`, `darwin-arm64`), as
    /// the Makefile's `REFERENCE` names it.
    public static let referenceFolder = "Labs/reference"

    /// The file that says which commit the copy was made from.
    public static let versionFile = "Labs/KIT-VERSION"

    /// Lines of this repository's `.gitignore` that the copy's leaves out, so that what they ignore here goes into
    /// a student's repository: the reference programs, which a teacher who pushes the copy pushes too, and the
    /// student's progress file, which a student commits.
    public static let ignoredHereOnly = ["/Labs/reference/", ".labcheck/progress.log"]

    /// The copy's `.gitignore`: this repository's, without `ignoredHereOnly` and the comment just above each that
    /// says so (it names `make student-kit`).
    public static func studentGitignore(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices.reversed() where ignoredHereOnly.contains(lines[index]) {
            lines.remove(at: index)
            if index > 0, lines[index - 1].hasPrefix("#"), lines[index - 1].contains("make student-kit") {
                lines.remove(at: index - 1)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The copy's README from its template.
    public static func readme(template: String, commit: String, date: String) -> String {
        template.replacing("{{COMMIT}}", with: commit).replacing("{{DATE}}", with: date)
    }
}
