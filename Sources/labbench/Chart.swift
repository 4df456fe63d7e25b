import Foundation

/// The suite's figures as an SVG picture any browser opens: round trips per second (left) and the slowest round trip
/// on a logarithmic scale (right), one group of bars per number of connections, one colour per server. The slowest
/// rather than the 99th percentile, because a blocking server's waits fall on each connection's first round trip
/// only — often fewer than 1 % of them — and the unluckiest client's wait is the point.
enum Chart {
    static let colours = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd"]

    static func svg(_ rows: [BenchRow], title: String) -> String {
        let servers = rows.reduce(into: [String]()) { if !$0.contains($1.server) { $0.append($1.server) } }
        let levels = rows.reduce(into: [Int]()) {
            if !$0.contains($1.result.connections) { $0.append($1.result.connections) }
        }
        func value(_ server: String, _ level: Int, _ pick: (LoadResult) -> Double) -> Double? {
            rows.first { $0.server == server && $0.result.connections == level && $0.failure == nil }.map {
                pick($0.result)
            }
        }
        let panelWidth = 460.0
        let height = 420.0
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(panelWidth * 2 + 40))" height="\(Int(height + 40 + 22 * Double(servers.count)))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="20" y="24" font-size="16" font-weight="bold">\(escaped(title))</text>

            """
        let throughput = Panel(
            x: 20,
            y: 40,
            width: panelWidth,
            height: height - 40,
            title: "round trips per second (higher is better)",
            logarithmic: false
        )
        let latency = Panel(
            x: 40 + panelWidth,
            y: 40,
            width: panelWidth,
            height: height - 40,
            title: "slowest round trip in ms, log scale (lower is better)",
            logarithmic: true
        )
        svg += throughput.draw(servers: servers, levels: levels) { value($0, $1) { $0.roundTripsPerSecond } }
        svg += latency.draw(servers: servers, levels: levels) { value($0, $1) { ($0.latencies.last ?? 0) / 1000 } }
        for (index, server) in servers.enumerated() {
            let y = height + 20 + 22 * Double(index)
            svg +=
                "<rect x=\"20\" y=\"\(y - 11)\" width=\"14\" height=\"14\" fill=\"\(colours[index % colours.count])\"/>"
            svg += "<text x=\"40\" y=\"\(y)\">\(escaped(server))</text>\n"
        }
        return svg + "</svg>\n"
    }

    struct Panel {
        let x, y, width, height: Double
        let title: String
        let logarithmic: Bool

        func draw(servers: [String], levels: [Int], value: (String, Int) -> Double?) -> String {
            let values = servers.flatMap { server in levels.compactMap { value(server, $0) } }.filter { $0 > 0 }
            let plotTop = y + 30
            let plotBottom = y + height - 30
            let plotLeft = x + 50
            let plotRight = x + width
            let (low, high) =
                logarithmic
                ? (pow10(floorLog10(values.min() ?? 0.01)), pow10(floorLog10(values.max() ?? 1) + 1))
                : (0, niceCeiling(values.max() ?? 1))
            func scaled(_ v: Double) -> Double {
                let fraction = logarithmic ? (log10(max(v, low)) - log10(low)) / (log10(high) - log10(low)) : v / high
                return plotBottom - fraction * (plotBottom - plotTop)
            }
            var out = "<text x=\"\(x)\" y=\"\(y + 12)\" font-weight=\"bold\">\(escaped(title))</text>\n"
            // Grid lines and their labels.
            let ticks =
                logarithmic
                ? stride(from: floorLog10(low), through: floorLog10(high), by: 1).map { pow10($0) }
                : (0...4).map { high * Double($0) / 4 }
            for tick in ticks {
                let ty = scaled(tick)
                out += "<line x1=\"\(plotLeft)\" y1=\"\(ty)\" x2=\"\(plotRight)\" y2=\"\(ty)\" stroke=\"#ddd\"/>"
                out += "<text x=\"\(plotLeft - 6)\" y=\"\(ty + 4)\" text-anchor=\"end\">\(label(tick))</text>\n"
            }
            let groupWidth = (plotRight - plotLeft) / Double(max(levels.count, 1))
            let barWidth = groupWidth * 0.8 / Double(max(servers.count, 1))
            for (group, level) in levels.enumerated() {
                let groupLeft = plotLeft + groupWidth * Double(group) + groupWidth * 0.1
                out +=
                    "<text x=\"\(groupLeft + groupWidth * 0.4)\" y=\"\(plotBottom + 16)\" text-anchor=\"middle\">\(level) conn.</text>\n"
                for (index, server) in servers.enumerated() {
                    let barLeft = groupLeft + barWidth * Double(index)
                    guard let v = value(server, level), v > 0 else {
                        out +=
                            "<text x=\"\(barLeft + barWidth / 2)\" y=\"\(plotBottom - 4)\" text-anchor=\"middle\" font-size=\"10\">—</text>\n"
                        continue
                    }
                    let top = scaled(v)
                    out +=
                        "<rect x=\"\(barLeft)\" y=\"\(top)\" width=\"\(barWidth - 2)\" height=\"\(plotBottom - top)\" "
                        + "fill=\"\(colours[index % colours.count])\"><title>\(escaped(server)), \(level) connections: \(label(v))</title></rect>\n"
                }
            }
            out +=
                "<line x1=\"\(plotLeft)\" y1=\"\(plotBottom)\" x2=\"\(plotRight)\" y2=\"\(plotBottom)\" stroke=\"black\"/>\n"
            return out
        }

        private func label(_ v: Double) -> String {
            if v == 0 { return "0" }
            if v >= 1000 { return grouped(Int(v.rounded())) }
            if v >= 1 { return format(v, v >= 10 ? 0 : 1) }
            return format(v, v >= 0.1 ? 2 : 3)
        }
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A round number just above `value`: 1, 2 or 5 times a power of ten.
func niceCeiling(_ value: Double) -> Double {
    guard value > 0 else { return 1 }
    let power = pow10(floorLog10(value))
    for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
    return 10 * power
}

func floorLog10(_ value: Double) -> Int { Int(log10(value).rounded(.down)) }
func pow10(_ exponent: Int) -> Double {
    exponent >= 0 ? (0..<exponent).reduce(1) { r, _ in r * 10 } : 1 / pow10(-exponent)
}
