import ArgumentParser
import Foundation
import LabCheckKit

/// Every lab's reference programs, and the kit's tools the checks run beside them (`telegram-sandbox`), built
/// optimised for this machine in a tree of their own: what the student copy carries in `Labs/reference/PLATFORM/`.
struct ReferenceBuild {
    let tree: URL
    let swift = ProcessInfo.processInfo.environment["SWIFT"] ?? "swift"

    /// The products, from the labs' own lists (`Lab.programs`, `Lab.tools`), and labrepl, which plays the
    /// student's own checks (`Labs/NN-…/my-checks`) against the programs beside it.
    var products: [String] {
        var seen = Set<String>()
        return
            (allLabs.flatMap { lab in lab.programs.map { lab.product($0, solution: true) } + lab.tools } + ["labrepl"])
            .filter { seen.insert($0).inserted }
    }

    /// On Linux the programs load the Swift runtime from `lib/` beside them, never from the toolchain's folder:
    /// its path differs from machine to machine, and Swift's ABI is not stable there, so a student's other Swift
    /// version would not do. (macOS has the Swift runtime in the system.)
    private var flags: [String] {
        #if os(Linux)
        ["-Xswiftc", "-no-toolchain-stdlib-rpath", "-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/lib"]
        #elseif canImport(Darwin)
        []
        #endif
    }

    private var buildArguments: [String] { ["build", "-q", "-c", "release", "--package-path", tree.path] + flags }

    func build(_ products: [String]) throws {
        for product in products {
            let run = try Children.run(swift, buildArguments + ["--product", product], timeout: .seconds(3600))
            guard run.termination.succeeded else {
                throw ValidationError(
                    "\(product) does not build:\n\(MutantTree.errors(in: run.standardOutput + run.standardError))"
                )
            }
        }
    }

    /// Copies `products` into `folder`, without their symbols; on Linux with the Swift runtime libraries they load,
    /// in `folder/lib`. Returns how many libraries.
    func install(_ products: [String], into folder: URL) throws -> Int {
        let shown = try Children.run(swift, buildArguments + ["--show-bin-path"], timeout: .seconds(300))
        guard shown.termination.succeeded else {
            throw ValidationError("swift build --show-bin-path failed: \(shown.standardError)")
        }
        let bin = URL(fileURLWithPath: shown.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        for product in products {
            try manager.copyItem(at: bin.appendingPathComponent(product), to: folder.appendingPathComponent(product))
        }
        let programs = products.map { folder.appendingPathComponent($0) }
        #if os(Linux)
        for program in programs {
            _ = try? Children.run("strip", [program.path], timeout: .seconds(60))  // binutils; without it, just larger
        }
        return try bundleRuntime(of: programs, into: folder.appendingPathComponent("lib"))
        #elseif canImport(Darwin)
        return 0  // the Swift runtime is macOS's own; the programs are small
        #endif
    }

    #if os(Linux)
    /// Copies the toolchain's libraries that `programs` load (and those they load in turn) into `lib`, then makes
    /// sure that each program finds every library it needs without the toolchain.
    private func bundleRuntime(of programs: [URL], into lib: URL) throws -> Int {
        let runtime = try runtimeLibraryFolder()
        var libraries = Set<String>()
        for program in programs {
            let listed = try Children.run(
                "ldd",
                [program.path],
                environment: ["LD_LIBRARY_PATH": runtime],
                timeout: .seconds(60)
            )
            for line in listed.standardOutput.split(separator: "\n") {
                // "\tlibswiftCore.so => /usr/lib/swift/linux/libswiftCore.so (0x…)"
                let parts = line.split(separator: " ")
                if let arrow = parts.firstIndex(of: "=>"), arrow + 1 < parts.count,
                    parts[arrow + 1].hasPrefix(runtime + "/")
                {
                    libraries.insert(String(parts[arrow + 1]))
                }
            }
        }
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        for library in libraries.sorted() {
            try FileManager.default.copyItem(
                at: URL(fileURLWithPath: library).resolvingSymlinksInPath(),
                to: lib.appendingPathComponent(URL(fileURLWithPath: library).lastPathComponent)
            )
        }
        for program in programs {
            let listed = try Children.run(
                "ldd",
                [program.path],
                environment: ["LD_LIBRARY_PATH": ""],
                timeout: .seconds(60)
            )
            let missing = listed.standardOutput.split(separator: "\n").filter { $0.contains("not found") }
            guard missing.isEmpty else {
                throw ValidationError(
                    "\(program.lastPathComponent) still misses libraries: \(missing.joined(separator: ", "))"
                )
            }
        }
        return libraries.count
    }

    /// Where the toolchain keeps the Swift runtime libraries (`swift -print-target-info`).
    private func runtimeLibraryFolder() throws -> String {
        struct Info: Decodable {
            struct Paths: Decodable { let runtimeLibraryPaths: [String] }
            let paths: Paths
        }
        let printed = try Children.run(swift, ["-print-target-info"], timeout: .seconds(60))
        let info = try JSONDecoder().decode(Info.self, from: Data(printed.standardOutput.utf8))
        guard let folder = info.paths.runtimeLibraryPaths.first else {
            throw ValidationError("swift -print-target-info names no runtime library folder")
        }
        return URL(fileURLWithPath: folder).standardizedFileURL.path
    }
    #elseif canImport(Darwin)
    // Nothing to bundle: macOS has the Swift runtime in the system.
    #endif

    /// "Swift version 6.3.1 (…)", the first line of `swift --version`.
    static func swiftVersion() -> String {
        let swift = ProcessInfo.processInfo.environment["SWIFT"] ?? "swift"
        let shown = try? Children.run(swift, ["--version"], timeout: .seconds(60))
        let text = (shown?.standardOutput ?? "") + (shown?.standardError ?? "")
        return text.split(separator: "\n").first { $0.contains("Swift version") }.map(String.init) ?? "Swift"
    }
}
