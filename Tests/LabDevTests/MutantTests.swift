import Foundation
import LabDevKit
import SwiftScanner
import Testing

@Suite struct MutantTests {
    private let starter = """
        import LabSupport
        import SocketKit

        /// Serves clients.
        struct Server {
            let port: Int

            func run() throws {
                // TODO step 1: listen.
                throw NotImplemented("step 1 — listen")
            }

            func echo(_ data: [UInt8]) -> [UInt8] {
                data  // given
            }

            // TODO step 2: a stored property (no body holds this one).

            func answer(to question: String) -> String? {
                // TODO step 2: the name.  TODO step 3: the age.
                nil
            }

            func report(_ error: any Error) {
                print("\\(NotImplemented("step 4 — report \\(error)"))")
            }

            func overloaded(_ value: Int) -> Int {
                // TODO step 5
                0
            }

            func overloaded(_ value: String) -> String {
                // TODO step 6
                ""
            }

            func outer() {
                func inner() {
                    // TODO step 7: inner only
                }
                inner()
            }

            func unlabelled() {
                // TODO: someday
            }
        }
        """

    private let reference = """
        import SocketKit

        /// Serves clients.
        struct Server {
            let port: Int

            func run() throws {
                let server = try Socket.createServer(("127.0.0.1", port))
                print("listening on \\(try server.getSockName())")
            }

            func echo(_ data: [UInt8]) -> [UInt8] {
                data  // given
            }

            var answers: [String: String] = [:]

            func answer(to question: String) -> String? {
                answers[question] ?? "}"
            }

            func report(_ error: any Error) {
                print("error: \\(error)")
            }

            func overloaded(_ value: String) -> String {
                value + "!"
            }

            func overloaded(_ value: Int) -> Int {
                value + 1
            }

            func outer() {
                func inner() {
                    print("inner")
                }
                inner()
            }

            func unlabelled() {
                print("done")
            }
        }
        """

    private var file: MirroredFile {
        MirroredFile(
            starterPath: "Sources/LabX/Server.swift",
            starter: starter,
            referencePath: "Solutions/LabX/Server.swift",
            reference: reference
        )
    }

    @Test func oneMutantPerBodyWithWork() {
        let mutants = file.mutants
        #expect(
            mutants.map(\.declaration.qualifiedName) == [
                "Server.run()", "Server.answer(to:)", "Server.report(_:)", "Server.overloaded(_:)",
                "Server.overloaded(_:)",
                "Server.outer().inner()", "Server.unlabelled()",
            ]
        )
        #expect(mutants.map(\.steps) == [[1], [2, 3], [4], [5], [6], [7], []])
        #expect(mutants.last?.problem == .namesNoStep)
        #expect(mutants.dropLast().allSatisfy { $0.problem == nil })
    }

    @Test func aMutantRevertsOnlyItsBody() throws {
        let mutant = try #require(file.mutants.first { $0.declaration.name == "answer(to:)" })
        let text = String(decoding: try #require(mutant.text), as: UTF8.self)
        var expected = reference.replacingOccurrences(
            of: "answers[question] ?? \"}\"",
            with: "// TODO step 2: the name.  TODO step 3: the age.\n        nil"
        )
        // The starter's imports the reference lacks join the reference's first import, on its line.
        expected = expected.replacingOccurrences(of: "import SocketKit", with: "import LabSupport; import SocketKit")
        #expect(text == expected)
    }

    @Test func overloadsMatchBySignatureNotOrder() throws {
        let mutants = file.mutants.filter { $0.declaration.name == "overloaded(_:)" }
        let texts = try mutants.map { String(decoding: try #require($0.text), as: UTF8.self) }
        #expect(texts[0].contains("func overloaded(_ value: Int) -> Int {\n        // TODO step 5\n        0\n    }"))
        #expect(texts[0].contains("value + \"!\""))
        #expect(
            texts[1].contains(
                "func overloaded(_ value: String) -> String {\n        // TODO step 6\n        \"\"\n    }"
            )
        )
        #expect(texts[1].contains("value + 1"))
    }

    @Test func nestedFunctionsOwnTheirTODOs() throws {
        let inner = try #require(file.mutants.first { $0.declaration.name == "inner()" })
        let text = String(decoding: try #require(inner.text), as: UTF8.self)
        #expect(text.contains("func inner() {\n            // TODO step 7: inner only\n        }\n        inner()"))
        #expect(!file.mutants.contains { $0.declaration.name == "outer()" })
    }

    @Test func markersInsideInterpolationsCount() throws {
        let report = try #require(file.mutants.first { $0.declaration.name == "report(_:)" })
        #expect(report.labels.map(\.kind) == [.marker])
        #expect(report.labels.first?.text == "step 4 — report \\(…)")
    }

    @Test func strayTODOsAreListed() {
        #expect(file.strayTODOs.map(\.line) == [17])
        #expect(file.strayTODOs.first?.steps == [2])
    }

    @Test func problemsWithTheMirror() {
        let noFile = MirroredFile(starterPath: "a", starter: starter, referencePath: "b", reference: nil)
        #expect(noFile.mutants.allSatisfy { $0.problem == .noReferenceFile })

        let renamed = MirroredFile(
            starterPath: "a",
            starter: "func f() {\n    // TODO step 1\n}\nfunc g() {\n    // TODO step 2\n}",
            referencePath: "b",
            reference: "func h() {\n    run()\n}\nfunc g() {\n    // TODO step 2\n}"
        )
        #expect(renamed.mutants.map(\.problem) == [.noCounterpart, .sameAsReference])
    }

    @Test func aChangedSignatureStillMatchesByName() throws {
        let file = MirroredFile(
            starterPath: "a",
            starter: "func f(x: Int) {\n    // TODO step 1\n}",
            referencePath: "b",
            reference: "func f(x: Int) throws {\n    try run(x)\n}"
        )
        let mutant = try #require(file.mutants.first)
        #expect(mutant.problem == nil)
        #expect(
            mutant.text.map { String(decoding: $0, as: UTF8.self) } == "func f(x: Int) throws {\n    // TODO step 1\n}"
        )
    }

    @Test func starterModulesAreImportedByTheirReferenceNames() throws {
        let file = MirroredFile(
            starterPath: "a",
            starter: "import Lab5Protocol\nimport LabSupport\nfunc f() {\n    // TODO step 1\n}",
            referencePath: "b",
            reference: "import Lab5ProtocolSolution\nfunc f() {\n    g()\n}",
            referenceModuleNames: ["Lab5Protocol": "Lab5ProtocolSolution"]
        )
        let text = try #require(file.mutants.first?.text)
        #expect(
            String(decoding: text, as: UTF8.self)
                == "import LabSupport; import Lab5ProtocolSolution\nfunc f() {\n    // TODO step 1\n}"
        )
    }

    @Test func importsGoOnTopWhenTheReferenceHasNone() throws {
        let file = MirroredFile(
            starterPath: "a",
            starter: "import LabSupport\nfunc f() {\n    notImplemented(\"step 1 — f\")\n}",
            referencePath: "b",
            reference: "func f() {\n    print(1)\n}"
        )
        let text = try #require(file.mutants.first?.text)
        #expect(
            String(decoding: text, as: UTF8.self)
                == "import LabSupport\nfunc f() {\n    notImplemented(\"step 1 — f\")\n}"
        )
    }
}

@Suite struct VerdictTests {
    @Test func theFirstFailureDecides() {
        #expect(Verdict.judge([(1, nil), (2, nil), (3, "no reply")], naming: [3]) == .killed(step: 3))
        #expect(Verdict.judge([(1, nil), (2, "closed")], naming: [2, 4]) == .killed(step: 2))
        #expect(Verdict.judge([(1, "not implemented")], naming: [3]) == .wrongStep(1, failure: "not implemented"))
        #expect(Verdict.judge([(1, nil), (2, nil), (3, "late")], naming: [2]) == .wrongStep(3, failure: "late"))
    }

    @Test func passingEveryNamedStepSurvives() {
        #expect(Verdict.judge([(1, nil), (2, nil), (3, nil)], naming: [3]) == .survived(through: 3))
        #expect(!Verdict.survived(through: 3).holds)
        #expect(Verdict.killed(step: 1).holds)
    }

    @Test func aReferenceIsJudgedWithNoStepNamed() {
        #expect(Verdict.judge([(1, nil), (2, nil)], naming: []) == .survived(through: 2))
        #expect(Verdict.judge([(1, nil), (2, "wrong")], naming: []) == .wrongStep(2, failure: "wrong"))
    }
}
