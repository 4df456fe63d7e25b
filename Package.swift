// swift-tools-version:6.0
//
// The Swift network programming lab kit.
//
// Every lab program exists twice, file for file: the student's starter under `Sources/LabN…` (product `labN-name`)
// and the reference under `Solutions/LabN…` (product `labN-name-solution`). The reference targets are declared
// only when `Solutions/` exists, so the student copy of the kit (`make student-kit`) builds without them. Code a
// lab gives its students is not mirrored: it lives once, under `Sources/LabNGiven`, and both sides use it.

import Foundation
import PackageDescription

/// One lab program: its product name, its module (the folder under `Sources/` and `Solutions/`), the kit
/// libraries it may use, and the lab's own libraries (see `labLibraries`).
struct LabProgram {
    let product: String
    let module: String
    let uses: [Target.Dependency]
    var labUses: [String] = []
}

/// Code a lab's programs share that the student writes (lab 5's codec and DEVS models, used by its router and its
/// client). Mirrored like the programs: the student's under `Sources/`, the reference under `Solutions/` as module
/// `…Solution`; a starter program uses the starter library, a reference program the reference one.
struct LabLibrary {
    let module: String
    let uses: [Target.Dependency]
}

/// Code a lab gives its students, whole (lab 5's message types, command lines, connection state, chat commands):
/// one target under `Sources/`, used by the starter and the reference alike, so that the two differ only where the
/// student writes. A lab program or library lists it in `uses` like any kit library.
struct GivenLibrary {
    let module: String
    let uses: [Target.Dependency]
}

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let labPrograms: [LabProgram] = [
    LabProgram(product: "lab1-greeting", module: "Lab1Greeting", uses: []),
    LabProgram(product: "lab2-greeting-server", module: "Lab2GreetingServer", uses: ["SocketKit"]),
    LabProgram(product: "lab2-greeting-client", module: "Lab2GreetingClient", uses: ["SocketKit"]),
    LabProgram(product: "lab3-echo-server", module: "Lab3EchoServer", uses: ["SocketKit"]),
    LabProgram(product: "lab3-echo-client", module: "Lab3EchoClient", uses: ["SocketKit"]),
    LabProgram(product: "lab4-mux-server", module: "Lab4MuxServer", uses: ["SocketKit"]),
    LabProgram(product: "lab4-mux-client", module: "Lab4MuxClient", uses: ["SocketKit"]),
    LabProgram(
        product: "lab5-router",
        module: "Lab5Router",
        uses: ["SocketKit", "FrameTypes", "DEVSKit", "Lab5Given"],
        labUses: ["Lab5Protocol"]
    ),
    LabProgram(
        product: "lab5-client",
        module: "Lab5Client",
        uses: ["SocketKit", "FrameTypes", "DEVSKit", "Lab5Given"],
        labUses: ["Lab5Protocol"]
    ),
    LabProgram(product: "lab6-telegram-bot", module: "Lab6TelegramBot", uses: ["TelegramKit"]),
]

// Lab 5's programs and libraries see the protocol's types (FrameTypes), never the kit's codec (FrameKit): writing
// the codec is the lab's first two steps.
let labLibraries: [LabLibrary] = [
    LabLibrary(module: "Lab5Protocol", uses: ["FrameTypes", "DEVSKit", "Lab5Given"])
]

let givenLibraries: [GivenLibrary] = [
    GivenLibrary(module: "Lab5Given", uses: ["FrameTypes", "DEVSKit", "SocketKit", "LabSupport", argumentParser])
]

/// libedit's pkg-config name, on Linux only: macOS ships no `.pc` file for the SDK's libedit, and SwiftPM would warn.
#if os(Linux)
let libeditPkgConfig: String? = "libedit"
#else
let libeditPkgConfig: String? = nil
#endif

let hasSolutions = FileManager.default.fileExists(atPath: Context.packageDirectory + "/Solutions")
/// The grader's held-back checks (other values than the handouts'): in the instructor's copy and the autograder,
/// never in the student's.
let hasHeldBack = FileManager.default.fileExists(atPath: Context.packageDirectory + "/Sources/HeldBackChecks")
let heldBackTargets: [Target] =
    hasHeldBack ? [.target(name: "HeldBackChecks", dependencies: ["LabCheckKit", "FrameKit"])] : []

// A starter library also uses LabSupport: its unfinished steps throw `NotImplemented`.
let starterTargets: [Target] =
    givenLibraries.map { library in
        .target(name: library.module, dependencies: library.uses)
    }
    + labLibraries.map { library in
        .target(name: library.module, dependencies: library.uses + ["LabSupport"])
    }
    + labPrograms.map { lab in
        .executableTarget(
            name: lab.module,
            dependencies: lab.uses + lab.labUses.map { .target(name: $0) } + ["LabSupport", argumentParser]
        )
    }
let solutionTargets: [Target] =
    labLibraries.map { library in
        .target(name: library.module + "Solution", dependencies: library.uses, path: "Solutions/" + library.module)
    }
    + labPrograms.map { lab in
        .executableTarget(
            name: lab.module + "Solution",
            dependencies: lab.uses + lab.labUses.map { .target(name: $0 + "Solution") } + [
                "LabSupport", argumentParser,
            ],
            path: "Solutions/" + lab.module
        )
    }
/// `labdev`, the instructor's tool (the per-step mutant proof, the consistency check, the student copy), its mutants,
/// and the tests of the instructor's own files: the instructor's copy only. (The Swift scanner they use,
/// SwiftScanner, is in every copy: `make reset STEP=k` uses it too. What the student copy leaves out is listed
/// once, in Sources/LabDevKit/StudentKit.swift.)
let instructorTargets: [Target] = [
    .target(name: "LabDevKit", dependencies: ["SwiftScanner"]),
    .executableTarget(
        name: "labdev",
        dependencies: ["LabDevKit", "SwiftScanner", "LabCheckKit", "ProcessKit", "LabSupport", argumentParser],
        exclude: ["StudentKit"]
    ),
    .testTarget(name: "LabDevTests", dependencies: ["LabDevKit", "SwiftScanner"]),
    // The repository's platform files: the lint, the CI workflow, the dev container.
    .testTarget(
        name: "PlatformTests",
        dependencies: ["DoctorKit", "ProcessKit", "LabSupport", "TelegramSandbox", "TestSupport"]
    ),
]
/// Tests that run the reference solutions: the instructor's copy only.
let solutionTests: [Target] = [
    .testTarget(
        name: "LabCheckTests",
        dependencies: ["LabCheckKit", "LabSupport", "TestSupport"] + (hasHeldBack ? ["HeldBackChecks"] : [])
    ),
    .testTarget(
        name: "LabProgramTests",
        dependencies: ["ProcessKit", "TestSupport", "SocketKit", "FrameKit", "TelegramKit"]
    ),
    .testTarget(
        name: "Lab5Tests",
        dependencies: ["Lab5ProtocolSolution", "Lab5Given", "DEVSKit", "FrameKit", "TestSupport"]
    ),
    // Grading end to end (the Gradescope autograder, the Classroom workflow, the class report, submit-check).
    .testTarget(name: "GradingTests", dependencies: ["LabCheckKit", "ProcessKit", "DoctorKit", "TestSupport"]),
]

let labProducts: [Product] =
    labPrograms.flatMap { lab -> [Product] in
        let starter = Product.executable(name: lab.product, targets: [lab.module])
        guard hasSolutions else { return [starter] }
        return [starter, .executable(name: lab.product + "-solution", targets: [lab.module + "Solution"])]
    } + (hasSolutions ? [.executable(name: "labdev", targets: ["labdev"])] : [])

let package = Package(
    name: "NetworkLabKit",
    platforms: [.macOS(.v15)],
    products: labProducts + [
        .library(name: "SocketKit", targets: ["SocketKit"]),
        .library(name: "FrameKit", targets: ["FrameKit"]),
        .library(name: "DEVSKit", targets: ["DEVSKit"]),
        .executable(name: "labcheck", targets: ["labcheck"]),
        .executable(name: "labdemo", targets: ["labdemo"]),
        .executable(name: "labbench", targets: ["labbench"]),
        .executable(name: "telegram-sandbox", targets: ["TelegramSandboxTool"]),
        .executable(name: "labrepl", targets: ["labrepl"]),
        .executable(name: "labdoctor", targets: ["labdoctor"]),
    ],
    dependencies: [
        // Versions are pinned in Package.resolved (committed); the README's "Updating the packages" says how to move
        // them on purpose. A 1.x package takes new minor versions, which keep its API.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The Telegram sandbox's HTTP server: small, no dependencies of its own (about 3 s of a clean build). Still
        // 0.x, where a minor version may break the API: held to 0.27.
        .package(url: "https://github.com/swhitty/FlyingFox", .upToNextMinor(from: "0.27.1")),
    ],
    targets: [
        // Libraries.
        .target(
            name: "SocketKit",
            dependencies: [.target(name: "CSystemShims", condition: .when(platforms: [.linux]))]
        ),
        .target(name: "CSystemShims"),
        .target(name: "LabSupport", dependencies: [argumentParser]),
        .target(name: "ProcessKit", dependencies: ["LabSupport"]),
        .target(name: "FrameTypes"),
        .target(name: "FrameKit", dependencies: ["FrameTypes"]),
        .target(name: "DEVSKit"),
        .target(name: "TelegramKit"),
        .target(
            name: "TelegramSandbox",
            dependencies: [
                .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .target(
            name: "LabCheckKit",
            dependencies: [
                "SocketKit", "ProcessKit", "FrameKit", "TelegramKit", "DoctorKit", "SwiftScanner", "LabSupport",
            ]
        ),
        // A Swift-aware scanner of starter code: declarations with their bodies, and the steps each body's TODOs
        // name (the per-step proof's, and make reset's).
        .target(name: "SwiftScanner"),
        // What make doctor checks: the machine, not the code.
        .target(
            name: "DoctorKit",
            dependencies: [
                "SocketKit", "ProcessKit", "LabSupport",
                .target(name: "CSystemShims", condition: .when(platforms: [.linux])),
            ]
        ),
        // libedit, the line editor behind labrepl (the module map includes <editline/readline.h> explicitly: GNU
        // readline's headers, if installed, would otherwise win). Linux finds it with pkg-config (libedit-dev);
        // macOS has it in its SDK, where the compiler looks anyway.
        .systemLibrary(name: "CEdit", pkgConfig: libeditPkgConfig, providers: [.apt(["libedit-dev"])]),
        .target(name: "ReplKit", dependencies: ["SocketKit", "FrameKit", "TelegramKit", "CEdit", "LabSupport"]),

        // Tools.
        .executableTarget(
            name: "labcheck",
            dependencies: ["LabCheckKit", "LabSupport", "ProcessKit", argumentParser]
                + (hasHeldBack ? ["HeldBackChecks"] : [])
        ),
        .executableTarget(name: "labdemo", dependencies: ["ProcessKit", "LabSupport", "TelegramKit", argumentParser]),
        .executableTarget(name: "labbench", dependencies: ["SocketKit", "ProcessKit", "LabSupport", argumentParser]),
        .executableTarget(
            name: "TelegramSandboxTool",
            dependencies: ["TelegramSandbox", "TelegramKit", "LabSupport", argumentParser]
        ),
        .executableTarget(name: "labrepl", dependencies: ["ReplKit", "LabSupport", argumentParser]),
        .executableTarget(name: "labdoctor", dependencies: ["DoctorKit", "LabSupport", argumentParser]),

        // Tests.
        .testTarget(name: "SocketKitTests", dependencies: ["SocketKit", "ProcessKit", "TestSupport"]),
        .testTarget(name: "ProcessKitTests", dependencies: ["ProcessKit"]),
        .testTarget(
            name: "LabCheckKitTests",
            dependencies: ["LabCheckKit", "LabSupport", "SocketKit", "SwiftScanner", "TestSupport"]
        ),
        .testTarget(name: "FrameKitTests", dependencies: ["FrameKit", "TestSupport"]),
        .testTarget(name: "DEVSKitTests", dependencies: ["DEVSKit"]),
        .testTarget(
            name: "TelegramKitTests",
            dependencies: ["TelegramKit", "TelegramSandbox", "ProcessKit", "TestSupport"]
        ),
        .testTarget(
            name: "TelegramSandboxTests",
            dependencies: ["TelegramSandbox", "ProcessKit", "TestSupport"],
            exclude: ["sandbox_http_check.py"]
        ),
        .testTarget(
            name: "ReplTests",
            dependencies: ["ReplKit", "LabSupport", "ProcessKit", "SocketKit", "TestSupport"]
        ),
        .testTarget(name: "SwiftScannerTests", dependencies: ["SwiftScanner"]),
        // The kit as a whole: the handouts' Swift lines compile against SocketKit and LabSupport (built, not
        // imported), and the packages are pinned.
        .testTarget(name: "KitTests", dependencies: ["ProcessKit", "TestSupport", "SocketKit", "LabSupport"]),
        .testTarget(
            name: "DoctorTests",
            dependencies: ["DoctorKit", "LabSupport", "ProcessKit", "SocketKit", "TestSupport"]
        ),
        .target(name: "TestSupport", dependencies: ["ProcessKit"], path: "Tests/TestSupport"),
    ] + starterTargets + heldBackTargets + (hasSolutions ? solutionTargets + solutionTests + instructorTargets : [])
)
