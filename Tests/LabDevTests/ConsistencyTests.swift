import Foundation
import LabDevKit
import Testing

/// `labdev consistency`'s judgements, on small trees made up to break each rule once.
@Suite struct ConsistencyTests {
    static func lab(
        programs: [String] = ["echo-server"],
        steps: [(Int, String)] = [(1, "recv, then send"), (2, "loop")],
        handout: String? = #"<a id="step-1"></a> … <a id="step-2"></a>"#,
        starter: String = "func serve() {\n    // TODO step 1: accept\n    notImplemented(\"step 2 — the loop\")\n}\n",
        provenOtherwise: [Int: String] = [:]
    ) -> Consistency.LabFacts {
        Consistency.LabFacts(
            number: 3,
            programs: programs,
            steps: steps.map { (number: $0.0, hint: $0.1) },
            handoutPath: "Labs/03/README.md",
            handout: handout,
            starterFiles: ["Sources/Lab3EchoServer/Server.swift": starter],
            provenOtherwise: provenOtherwise
        )
    }

    // MARK: The lab programs

    @Test func theTwoListsOfProgramsAgree() {
        let products: Set<String> = ["lab3-echo-server", "lab3-echo-server-solution", "labcheck"]
        #expect(Consistency.programProblems(products: products, labs: [Self.lab()]).isEmpty)
    }

    @Test func aProgramOnlyOneListHasIsNamed() {
        let products: Set<String> = ["lab3-echo-server", "lab3-echo-server-solution", "lab3-echo-client", "labcheck"]
        let problems = Consistency.programProblems(products: products, labs: [Self.lab()])
        #expect(problems == ["Package.swift builds lab3-echo-client, but no lab's checks list it (Lab.programs)"])

        let unbuilt = Consistency.programProblems(products: ["lab3-echo-server"], labs: [Self.lab()])
        #expect(unbuilt == ["Package.swift has no reference product lab3-echo-server-solution for lab 3's echo-server"])
    }

    @Test func aProgramListedTwiceIsNamed() {
        let products: Set<String> = ["lab3-echo-server", "lab3-echo-server-solution"]
        let problems = Consistency.programProblems(
            products: products,
            labs: [Self.lab(programs: ["echo-server", "echo-server"])]
        )
        #expect(problems == ["lab3-echo-server is listed 2 times in the labs' checks"])
    }

    @Test func aFolderNoTargetBuildsIsStray() {
        let problems = Consistency.strayFolders(["Sources/A", "Tests/Old"], targetPaths: ["Sources/A"])
        #expect(problems.count == 1 && problems[0].hasPrefix("Tests/Old is no target"))
    }

    // MARK: Mirrors

    static let reference = """
        import ArgumentParser

        struct Server {
            static let commands = ["start", "help"]
            private var count = 0

            func configure() -> Int { 42 }

            func serve() {
                accept()
                loop()
            }

            private func loop() {}
        }
        """

    static let starter = """
        import ArgumentParser
        import LabSupport

        /// The starter's own comment.
        struct Server {
            static let commands = ["start", "help"]

            func configure() -> Int { 42 }

            func serve() {
                // TODO step 1: accept, then loop
                notImplemented("step 1 — serve")
            }
        }
        """

    func mirror(starter: String = Self.starter, reference: String = Self.reference) -> [String] {
        Consistency.mirrorProblems(
            starterFolder: "Sources/Lab3EchoServer",
            starter: ["Server.swift": starter],
            referenceFolder: "Solutions/Lab3EchoServer",
            reference: ["Server.swift": reference]
        )
    }

    @Test func theReferenceMayAddStateAndHelpersAndTheStarterItsMarkersImport() {
        #expect(mirror().isEmpty)
    }

    @Test func aBodyOfOnlyTODOCommentsIsTheStudentsWork() {
        // A step-4 stub that must stay silent until then (the server runs without it): no marker, no code at all.
        let starter = Self.starter.replacingOccurrences(
            of: "notImplemented(\"step 1 — serve\")",
            with: "// TODO step 4: and nothing else"
        )
        #expect(starter != Self.starter)
        #expect(mirror(starter: starter).isEmpty)
        // Still compared: a given line after it that the reference lacks.
        let extra = starter.replacingOccurrences(of: "    }\n}", with: "    }\n    var extra = 1\n}")
        #expect(extra != starter)
        #expect(mirror(starter: extra).first?.contains("the starter gives `var extra = 1`") == true)
    }

    @Test func aGivenBodyThatDiffersIsNamed() {
        let problems = mirror(reference: Self.reference.replacingOccurrences(of: "{ 42 }", with: "{ 43 }"))
        #expect(problems.count == 1)
        #expect(problems.first?.contains("Server.configure() is given whole (no TODO), but differs") == true)
    }

    @Test func aGivenPropertyThatDiffersIsNamed() {
        let problems = mirror(
            reference: Self.reference.replacingOccurrences(of: #""help"]"#, with: #""help", "stop"]"#)
        )
        #expect(problems.count == 1)
        #expect(problems.first?.contains(#"the starter gives `static let commands = [ "start" , "help" ]`"#) == true)
    }

    @Test func aGivenDeclarationTheReferenceLacksIsNamed() {
        let problems = mirror(
            reference: Self.reference.replacingOccurrences(of: "    func configure() -> Int { 42 }\n", with: "")
        )
        #expect(
            problems.first?.contains(
                "Server.configure() is given whole (no TODO), but Solutions/Lab3EchoServer/Server.swift has no such declaration"
            ) == true
        )
    }

    @Test func filesWithoutTwinsAreNamed() {
        let problems = Consistency.mirrorProblems(
            starterFolder: "Sources/X",
            starter: ["A.swift": "", "B.swift": ""],
            referenceFolder: "Solutions/X",
            reference: ["A.swift": "", "C.swift": ""]
        )
        #expect(
            problems == [
                "Sources/X/B.swift has no reference twin Solutions/X/B.swift",
                "Solutions/X/C.swift has no starter twin Sources/X/C.swift",
            ]
        )
    }

    // MARK: Steps

    @Test func aCompleteLabHasNoProblem() {
        #expect(Consistency.stepProblems(Self.lab()).isEmpty)
    }

    @Test func aStepWithoutHintTODOOrAnchorIsNamed() {
        let problems = Consistency.stepProblems(
            Self.lab(
                steps: [(1, "recv, then send"), (2, "loop"), (3, " ")],
                handout: #"<a id="step-1"></a> <a id="step-2"></a> <a id="step-2"></a>"#
            )
        )
        #expect(
            problems == [
                "lab 3 step 3 has no hint",
                "lab 3 step 3: no TODO or not-implemented marker in lab 3's starter code names it",
                #"Labs/03/README.md has 2 anchors id="step-2" (failures link there)"#,
                #"Labs/03/README.md has no anchor id="step-3" (failures link there)"#,
            ]
        )
    }

    @Test func anAnchorOrATODOForAStepThereIsNotIsNamed() {
        let problems = Consistency.stepProblems(
            Self.lab(
                handout: #"<a id="step-1"></a> <a id="step-2"></a> <a id="step-9"></a>"#,
                starter: "func serve() {\n    // TODO steps 1 and 2\n    // TODO step 7: never checked\n}\n"
            )
        )
        #expect(
            problems == [
                "lab 3's starter code names step 7, which its checks do not have",
                #"Labs/03/README.md has an anchor id="step-9", but lab 3 has no step 9"#,
            ]
        )
    }

    @Test func aStepProvenOtherwiseNeedsNoTODOButMayNotHaveOne() {
        let unnamed = Self.lab(
            starter: "func serve() {\n    // TODO step 1\n}\n",
            provenOtherwise: [2: "the same code again"]
        )
        #expect(Consistency.stepProblems(unnamed).isEmpty)
        let named = Self.lab(provenOtherwise: [2: "the same code again"])
        #expect(
            Consistency.stepProblems(named) == [
                "lab 3 step 2 is listed as proven otherwise, but a TODO names it: take it off the list"
            ]
        )
    }

    @Test func aMissingHandoutIsNamed() {
        #expect(Consistency.stepProblems(Self.lab(handout: nil)) == ["lab 3's handout Labs/03/README.md is missing"])
    }
}

@Suite struct StudentKitTests {
    @Test func whatTheCopyLeavesOut() {
        #expect(StudentKit.isInstructorOnly("Solutions/Lab1Greeting/Human.swift"))
        #expect(StudentKit.isInstructorOnly("Sources/HeldBackChecks/Lab1HeldBack.swift"))
        #expect(StudentKit.isInstructorOnly(".github/workflows/ci.yml"))
        #expect(!StudentKit.isInstructorOnly(".github/workflows/classroom.yml"))
        #expect(!StudentKit.isInstructorOnly("Sources/Lab1Greeting/Human.swift"))
        #expect(!StudentKit.isInstructorOnly("Sources/labdevelopment/x.swift"))  // a prefix of a name is not the folder
        #expect(!StudentKit.isInstructorOnly(".ci/packages"))
    }

    @Test func theCopysGitignoreKeepsTheReferenceProgramsAndTheProgressFile() {
        let ignored = """
            .build/
            .labcheck/*
            !.labcheck/progress.log
            # Kept in the student copy (make student-kit drops the next line).
            .labcheck/progress.log
            # Built here.
            /Labs/reference/
            .swiftpm/

            """
        #expect(
            StudentKit.studentGitignore(ignored)
                == ".build/\n.labcheck/*\n!.labcheck/progress.log\n# Built here.\n.swiftpm/\n"
        )
    }

    @Test func theReadmeNamesTheCommit() {
        #expect(
            StudentKit.readme(template: "from {{COMMIT}} of {{DATE}}.", commit: "abc1234", date: "2026-12-01")
                == "from abc1234 of 2026-12-01."
        )
    }
}
