import DoctorKit
import Foundation
import ProcessKit
import TestSupport
import Testing

@testable import LabCheckKit

/// .github/classroom/classroom.yml, the student copy's GitHub Classroom workflow, read as GitHub reads it (YAML,
/// through PyYAML) and its make lines run here as a runner would run them.
@Suite struct ClassroomWorkflowTests {
    static let path = kitRoot + "/.github/classroom/classroom.yml"

    struct Workflow: Decodable {
        let name: String
        let on: [String]
        let permissions: [String: String]
        let job: Job

        struct Job: Decodable {
            let condition: String?
            let container: String?
            let steps: [Step]
        }

        struct Step: Decodable {
            let name: String?
            let id: String?
            let run: String?
            let uses: String?
            let env: [String: String]?
            let with: [String: String]?
        }
    }

    /// The workflow's one job, its keys as GitHub reads them (`on:` is YAML 1.1's `true` to PyYAML: both are tried).
    func workflow() throws -> Workflow {
        let script = """
            import json, sys, yaml
            workflow = yaml.safe_load(open(sys.argv[1]))
            triggers = workflow.get("on", workflow.get(True))
            (job,) = workflow["jobs"].values()
            container = job.get("container")
            print(json.dumps({
                "name": workflow["name"],
                "on": triggers if isinstance(triggers, list) else list(triggers),
                "permissions": workflow["permissions"],
                "job": {
                    "condition": job.get("if"),
                    "container": container if isinstance(container, str) else (container or {}).get("image"),
                    "steps": [{key: (str(value) if key not in ("env", "with") else {k: str(v) for k, v in value.items()})
                               for key, value in step.items() if key in ("name", "id", "run", "uses", "env", "with")}
                              for step in job["steps"]],
                },
            }))
            """
        let read = try ChildProcess.run("python3", ["-c", script, Self.path], timeout: .seconds(30))
        try #require(
            read.termination.succeeded,
            "the workflow does not parse (python3 needs PyYAML: the Debian package python3-yaml, in .ci/packages): \(read.standardError)"
        )
        return try JSONDecoder().decode(Workflow.self, from: Data(read.standardOutput.utf8))
    }

    @Test func itIsClassroomsAutogradingWorkflow() throws {
        let workflow = try workflow()
        #expect(workflow.name == "Autograding Tests")
        #expect(workflow.on.contains("push") && workflow.on.contains("repository_dispatch"))
        #expect(workflow.permissions == ["checks": "write", "actions": "read", "contents": "read"])
        #expect(workflow.job.condition == "github.actor != 'github-classroom[bot]'")
        // The official Swift image of the version the kit is tested with: the dev container's.
        let dockerfile = try read(kitRoot + "/.devcontainer/Dockerfile")
        let image = try #require(dockerfile.split(separator: "\n").first { $0.hasPrefix("FROM ") }).dropFirst(5)
        #expect(workflow.job.container == String(image))
        #expect(String(image).hasPrefix("swift:\(Doctor.testedSwift)-"))
    }

    @Test func itInstallsThePackagesAndGradesEachLabForTheReporter() throws {
        let steps = try workflow().job.steps
        let install = try #require(
            steps.firstIndex { $0.run == ".ci/install-packages" },
            "no step installs .ci/packages"
        )
        #expect(steps.firstIndex { $0.uses?.hasPrefix("actions/checkout@") == true }.map { $0 < install } == true)
        let reporter = try #require(
            steps.firstIndex { $0.uses == "classroom-resources/autograding-grading-reporter@v1" }
        )
        for lab in allLabs {
            let id = "lab\(lab.number)"
            let grading = try #require(steps.firstIndex { $0.id == id }, "no grading step with id \(id)")
            #expect(steps[grading].run == "make grade LAB=\(lab.number) FORMAT=classroom")
            #expect(steps[grading].name?.hasPrefix("Lab \(lab.number) · \(lab.title)") == true)
            #expect(install < grading && grading < reporter)
            #expect(steps[reporter].env?["LAB\(lab.number)_RESULTS"] == "${{ steps.\(id).outputs.result }}")
        }
        #expect(steps[reporter].with?["runners"] == allLabs.map { "lab\($0.number)" }.joined(separator: ","))
        #expect(steps[reporter].env?.count == allLabs.count)
    }

    /// What the workflow calls must be in the kit (and so in the student copy, which carries everything but the
    /// reference solutions and the instructor's tools).
    @Test func whatItRunsIsInTheKit() throws {
        #expect(FileManager.default.isExecutableFile(atPath: kitRoot + "/.ci/install-packages"))
        #expect(FileManager.default.fileExists(atPath: kitRoot + "/.ci/packages"))
        #expect(try read(kitRoot + "/Makefile").contains("\ngrade: "))
    }

    /// The grading steps' own lines, run here as the runner runs them (GITHUB_ACTIONS=true, a GITHUB_OUTPUT file):
    /// each appends `result=` and base64 of Classroom's JSON. The programs and labcheck were built by `swift test`
    /// already: make gets that build's folder (BIN) and a no-op for Swift, instead of a second build into the
    /// folder this very test is running from.
    @Test(arguments: [1, 2])
    func aGradingStepsMakeLineWritesTheResultForTheReporter(lab: Int) throws {
        let step = try #require(try workflow().job.steps.first { $0.id == "lab\(lab)" })
        let line = try #require(step.run)
        let folder = try makeTemporaryDirectory(prefix: "classroom-step")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outputs = folder + "/github-output"
        try write("earlier=1\n", to: outputs)
        let words = line.split(separator: " ").map(String.init)
        #expect(words.first == "make")
        let ran = try run(
            words + ["BIN=\(try productsDirectory())", "--no-print-directory"],
            in: kitRoot,
            environment: ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": outputs, "SWIFT": "true"],
            timeout: .seconds(120)
        )
        #expect(ran.termination.succeeded, "\(line): \(ran.standardOutput)\(ran.standardError)")
        let lines = try read(outputs).split(separator: "\n")
        #expect(lines.first == "earlier=1", "the outputs file is appended to")
        let result = try #require(lines.last { $0.hasPrefix("result=") }, "no result= line in GITHUB_OUTPUT")
        let decoded = try #require(Data(base64Encoded: String(result.dropFirst("result=".count))), "not base64")
        let json = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
        #expect(json["version"] as? Int == 1)
        let tests = try #require(json["tests"] as? [[String: Any]])
        let graded = try #require(Lab.numbered(lab))
        #expect(tests.count >= graded.steps.count, "a test per step (and per held-back variant)")
        #expect((json["max_score"] as? Int ?? 0) >= graded.maxScore)
        #expect(["pass", "fail", "error"].contains(json["status"] as? String))
        #expect(tests.allSatisfy { ($0["name"] as? String)?.hasPrefix("Lab \(lab) step ") == true })
    }
}
