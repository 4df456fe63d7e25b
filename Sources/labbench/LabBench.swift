import ArgumentParser
import Foundation
import LabSupport
import ProcessKit
import SocketKit

/// `make bench`: how the lab 3 blocking server, the lab 4 selector server and the lecture's Python server hold up as
/// the number of clients grows.
@main
struct LabBench: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "labbench",
        abstract: "Echo-server benchmarks: closed-loop round trips over many connections.",
        subcommands: [Load.self, Compare.self],
        defaultSubcommand: Compare.self
    )
}

/// One load run against a server that is already running.
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Closed-loop echo load: C connections, each sends SIZE bytes, waits for them back, MSGS times."
    )

    @OptionGroup var endpoint: EndpointOptions

    @Option(help: "Connections at once.")
    var connections = 100

    @Option(help: "Round trips per connection.")
    var messages = 100

    @Option(help: "Bytes per message.")
    var size = 64

    @Option(help: "Stop after this many seconds, whatever is unfinished.")
    var timeLimit = 60.0

    func run() throws {
        try raiseOpenFileLimit()
        let load = LoadGenerator(
            host: endpoint.host,
            port: endpoint.port,
            connections: connections,
            messages: messages,
            size: size,
            timeLimit: timeLimit
        )
        let result = try load.run()
        print(result.summary)
        if result.errors > 0 || result.unfinished > 0 { throw ExitCode.failure }
    }
}

/// The suite: every server at 1, 100, 1000 and 5000 connections; a table, a CSV file and a chart.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Measure lab 3's blocking server, lab 4's selector server and the lecture's Python server side by side."
    )

    @Option(help: "Where the lab programs are built.")
    var binDir: String

    @Flag(help: "Measure the reference solutions (the -solution programs) instead of your own.")
    var solution = false

    @Option(help: "The lecture's selectors server, run with python3 when python3 is installed.")
    var pythonServer = "Labs/04-multiplexed-echo/lecture_selectors_echo.py"

    @Option(help: "Where to write bench.csv and bench.svg.")
    var out = "bench-results"

    @Option(help: "Numbers of connections, comma-separated.")
    var levels = "1,100,1000,5000"

    @Option(help: "Round trips in all, spread over the connections (at least 10 per connection).")
    var roundTrips = 20000

    @Option(help: "Bytes per message.")
    var size = 64

    @Option(help: "Seconds each run may take: what is unfinished then is reported, not waited for.")
    var timeLimit = 15.0

    @Option(help: "Only these servers (comma-separated): blocking, selector, python.")
    var only: String?

    func run() throws {
        ChildProcess.stopAllOnInterrupt()
        let limit = try raiseOpenFileLimit()  // the servers started below inherit it
        let suffix = solution ? "-solution" : ""
        var servers = [
            BenchServer(
                id: "blocking",
                name: "blocking, one client at a time (lab 3)",
                executable: "\(binDir)/lab3-echo-server\(suffix)",
                arguments: ListeningLine.anyPort
            ),
            BenchServer(
                id: "selector",
                name: "selector (lab 4)",
                executable: "\(binDir)/lab4-mux-server\(suffix)",
                arguments: ["--quiet"] + ListeningLine.anyPort
            ),
        ]
        if let python = onPath("python3") {
            servers.append(
                BenchServer(
                    id: "python",
                    name: "python selectors (lecture)",
                    executable: python,
                    arguments: [pythonServer, "0"]
                )
            )
        } else {
            print("python3 is not installed: the lecture's Python server is left out.")
        }
        if let only {
            let ids = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            servers = servers.filter { ids.contains($0.id) }
        }
        let connections = levels.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let suite = Suite(
            servers: servers,
            levels: connections.map { ($0, max(10, roundTrips / $0)) },
            size: size,
            timeLimit: timeLimit
        )

        print(
            "\(size)-byte closed-loop round trips; each run stops after \(Int(timeLimit)) s; descriptor limit \(limit)"
        )
        let rows = suite.run { row in
            let figures = row.failure.map { "FAILED: \($0)" } ?? row.result.summary
            print("  \(row.server) · \(row.result.connections) connections: \(figures)")
        }
        print("\n" + Report.table(rows) + "\n")

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Report.csv(rows).write(toFile: "\(out)/bench.csv", atomically: true, encoding: .utf8)
        let title = "Echo servers, \(size)-byte round trips, loader and server on one machine"
        try Chart.svg(rows, title: title).write(toFile: "\(out)/bench.svg", atomically: true, encoding: .utf8)
        print("Written: \(out)/bench.csv, and the chart \(out)/bench.svg (open it in a browser).")
        print(
            "Errors and unfinished connections are real results: a blocking server serves one client at a time, "
                + "so at many connections most of them wait — or time out."
        )
    }
}

/// The full path of `command` if it is on PATH.
func onPath(_ command: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(command)" }.first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}
