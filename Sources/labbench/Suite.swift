import Foundation
import ProcessKit

/// A server the suite measures: how to start it (on a free port: it prints "listening on HOST:PORT"), and what to
/// call it in the table.
struct BenchServer {
    /// The short name `--only` picks it by: blocking, selector, python.
    let id: String
    let name: String
    let executable: String
    let arguments: [String]
}

/// One row of the table: a server at one number of connections.
struct BenchRow {
    let server: String
    let result: LoadResult
    /// Why there are no figures (the server did not start), if so.
    let failure: String?
}

/// Runs every server at every level, one after the other, each on a fresh server process.
struct Suite {
    let servers: [BenchServer]
    /// Connections → round trips per connection.
    let levels: [(connections: Int, messages: Int)]
    let size: Int
    let timeLimit: Double

    func run(progress: (BenchRow) -> Void) -> [BenchRow] {
        var rows: [BenchRow] = []
        for server in servers {
            for level in levels {
                let row = measure(server, connections: level.connections, messages: level.messages)
                progress(row)
                rows.append(row)
            }
        }
        return rows
    }

    private func measure(_ server: BenchServer, connections: Int, messages: Int) -> BenchRow {
        let empty = LoadResult(connections: connections, messages: messages, size: size)
        do {
            let process = try ChildProcess(
                server.executable,
                server.arguments,
                timeLimit: .seconds(Int64(timeLimit) + 30)
            )
            defer { process.stop() }
            let port = try process.waitForListeningPort()
            let load = LoadGenerator(
                host: "127.0.0.1",
                port: port,
                connections: connections,
                messages: messages,
                size: size,
                timeLimit: timeLimit
            )
            return BenchRow(server: server.name, result: try load.run(), failure: nil)
        } catch {
            return BenchRow(server: server.name, result: empty, failure: "\(error)")
        }
    }
}

// MARK: Reporting

enum Report {
    static let header = [
        "server", "conns", "msgs/conn", "round trips/s", "p50 ms", "p99 ms", "max ms", "errors", "unfinished",
    ]

    static func cells(_ row: BenchRow) -> [String] {
        let r = row.result
        guard row.failure == nil else {
            return [row.server, "\(r.connections)", "\(r.messages)", "—", "—", "—", "—", "—", "—"]
        }
        return [
            row.server, "\(r.connections)", "\(r.messages)", grouped(Int(r.roundTripsPerSecond)),
            format(r.percentile(0.5) / 1000, 3), format(r.percentile(0.99) / 1000, 2),
            format((r.latencies.last ?? 0) / 1000, 1),
            "\(r.errors)", "\(r.unfinished)",
        ]
    }

    static func table(_ rows: [BenchRow]) -> String {
        let all = [header] + rows.map(cells)
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.enumerated().map { index, cells in
            let line = cells.enumerated().map { column, cell in
                column == 0
                    ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
            return index == 0 ? line + "\n" + String(repeating: "-", count: line.count) : line
        }.joined(separator: "\n")
    }

    static func csv(_ rows: [BenchRow]) -> String {
        let head =
            "server,connections,messages_per_connection,size,round_trips,errors,unfinished,seconds,round_trips_per_s,p50_us,p99_us,max_us"
        return
            ([head]
            + rows.map { row in
                let r = row.result
                return [
                    quotedCSV(row.server), "\(r.connections)", "\(r.messages)", "\(r.size)", "\(r.roundTrips)",
                    "\(r.errors)",
                    "\(r.unfinished)", format(r.seconds, 3), "\(Int(r.roundTripsPerSecond))",
                    "\(Int(r.percentile(0.5)))",
                    "\(Int(r.percentile(0.99)))", "\(Int(r.latencies.last ?? 0))",
                ].joined(separator: ",")
            }).joined(separator: "\n") + "\n"
    }

    private static func quotedCSV(_ text: String) -> String {
        text.contains(",") || text.contains("\"")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

/// 12345 as "12,345".
func grouped(_ number: Int) -> String {
    let digits = String(number)
    return digits.reversed().enumerated().reduce(into: "") { text, item in
        if item.offset > 0 && item.offset % 3 == 0 { text.insert(",", at: text.startIndex) }
        text.insert(item.element, at: text.startIndex)
    }
}
