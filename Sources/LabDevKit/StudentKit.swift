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
        Omission("Solutions", "the reference solutions: the copy has them built, in Labs/reference/, never their source"),
        Omission("Sources/HeldBackChecks", "the grader's held-back checks, with values the handouts never show"),
        Omission("Sources/labdev", "labdev, the instructor's tool (make mutants, make student-kit)"),
        Omission("Sources/LabDevKit", "labdev's Swift scanner"),
        Omission("Tests/LabDevTests", "labdev's tests"),
        Omission("Tests/LabCheckTests", "runs the reference solutions through every check"),
        Omission("Tests/LabProgramTests", "runs the reference programs against outside peers"),
        Omission("Tests/Lab5Tests", "tests lab 5's reference codec and models"),
        Omission("Tests/PlatformTests", "tests the instructor's CI workflow, CI script and platform lint"),
        Omission(".github/workflows/ci.yml", "the kit's own CI (make test on Linux and macOS, the mutants)"),
        Omission(".github/classroom", "the autograding workflow: the copy has it as .github/workflows/classroom.yml"),
        Omission(".ci/run", "CI's script: make test, make mutants, make student-kit-test"),
        Omission(".ci/darwin-typecheck", "a maintainer's check of the Darwin code against a macOS SDK"),
        Omission(".ci/DarwinOverlay.swift", "used by .ci/darwin-typecheck"),
    ]

    /// Whether the copy leaves `file` out.
    public static func isInstructorOnly(_ file: String) -> Bool {
        instructorOnly.contains { $0.covers(file) }
    }

    /// The autograding workflow, when the kit has one, and where the copy puts it: GitHub runs the workflows of
    /// `.github/workflows/` in a student's repository, and the kit's own CI must not run there.
    public static let classroomWorkflow = (source: ".github/classroom/classroom.yml", copy: ".github/workflows/classroom.yml")

    /// The student copy's README, a template: `{{COMMIT}}` and `{{DATE}}` are filled in.
    public static let readmeTemplate = "Sources/labdev/StudentKit/README.md"

    /// Where the reference programs go in the copy, one folder per platform (`linux-x86_64`, `darwin-arm64`), as
    /// the Makefile's `REFERENCE` names it.
    public static let referenceFolder = "Labs/reference"

    /// The file that says which commit the copy was made from.
    public static let versionFile = "Labs/KIT-VERSION"

    /// The line of this repository's `.gitignore` that keeps generated reference programs out of it; the copy's
    /// `.gitignore` drops it, so that a teacher who pushes the copy to GitHub pushes the programs too.
    public static let gitignoreLine = "/Labs/reference/"

    /// The copy's `.gitignore`: this repository's, without the line that ignores the reference programs.
    public static func studentGitignore(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0 != gitignoreLine }
            .joined(separator: "\n")
    }

    /// The copy's README from its template.
    public static func readme(template: String, commit: String, date: String) -> String {
        template.replacing("{{COMMIT}}", with: commit).replacing("{{DATE}}", with: date)
    }
}
