import DoctorKit
import Foundation
import ProcessKit
import Testing

/// .github/workflows/ci.yml, read as GitHub reads it (YAML, through Python's PyYAML): make test on Linux and macOS.
@Suite(.enabled(if: pythonReadsYAML, "python3 with PyYAML (Debian: python3-yaml) reads the workflow"))
struct WorkflowTests {
    struct Job: Decodable {
        let runsOn: String
        let container: String?
        let continueOnError: Bool?
        let runs: [String]
    }

    /// The workflow's jobs: where each runs and the shell commands of its steps.
    func jobs() throws -> [String: Job] {
        let script = """
            import json, sys, yaml
            workflow = yaml.safe_load(open(sys.argv[1]))
            if not (workflow.get("on") or workflow.get(True)):
                sys.exit("the workflow has no 'on:' triggers")
            jobs = {}
            for name, job in workflow["jobs"].items():
                container = job.get("container")
                jobs[name] = {
                    "runsOn": job["runs-on"],
                    "container": container if isinstance(container, str) else (container or {}).get("image"),
                    "continueOnError": job.get("continue-on-error"),
                    "runs": [step["run"] for step in job["steps"] if "run" in step],
                }
            print(json.dumps(jobs))
            """
        let path = repository.appendingPathComponent(".github/workflows/ci.yml").path
        let run = try ChildProcess.run("python3", ["-c", script, path], timeout: .seconds(30))
        try #require(run.termination.succeeded, "the workflow does not parse: \(run.standardError)")
        return try JSONDecoder().decode([String: Job].self, from: Data(run.standardOutput.utf8))
    }

    /// Whether a step's script runs `make test` as a command of its own.
    func runsMakeTest(_ script: String) -> Bool {
        script.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "make test" }
    }

    @Test func makeTestRunsOnLinuxAndOnMacOS() throws {
        let jobs = try jobs().values.filter { $0.continueOnError != true }  // the ones that can fail the workflow
        for platform in ["ubuntu-latest", "macos-latest"] {
            #expect(
                jobs.contains { $0.runsOn == platform && $0.runs.contains(where: runsMakeTest) },
                "no job runs make test on \(platform)"
            )
        }
    }

    @Test func linuxRunsInTheDevContainersImageWithItsPackages() throws {
        let linux = try #require(try jobs().values.first { $0.runsOn == "ubuntu-latest" && $0.continueOnError != true })
        let dockerfile = try contents(".devcontainer/Dockerfile")
        let image = try #require(dockerfile.split(separator: "\n").first { $0.hasPrefix("FROM ") }).dropFirst(5)
        #expect(linux.container == String(image))
        #expect(linux.runs.contains(".ci/install-packages"))
    }

    @Test func macOSInstallsTheSwiftTheKitIsTestedWith() throws {
        let macOS = try #require(try jobs().values.first { $0.runsOn == "macos-latest" && $0.continueOnError != true })
        #expect(macOS.runs.contains { $0.contains("swiftly install \(Doctor.testedSwift)") })
    }
}
