import ArgumentParser
import DEVSKit
import LabSupport
import SocketKit

/// The router's command line: `lab5-router --port 0 --trace`, `--diagram mermaid`, `--simulate 0:00 05 00`.
public struct RouterOptions: ParsableArguments {
    @OptionGroup public var endpoint: EndpointOptions

    @Option(
        help:
            "The longest frame body accepted, in bytes: a longer one is answered with too-large and the connection closed."
    )
    public var maxBody = 65_536

    @Option(
        help: "Seconds a frame may take to arrive once its first byte has: then timeout, and the connection is closed."
    )
    public var frameTimeout = 5.0

    @Option(help: "Bytes that may wait for a client that reads too slowly before it is disconnected.")
    public var maxQueue = 1 << 20

    @Flag(help: "Print every transition of every connection's receiver model as it happens.")
    public var trace = false

    @Flag(help: "Print only the listening line (for benchmarks).")
    public var quiet = false

    @Option(help: "Print the receiver model's diagram (mermaid or dot) and exit.")
    public var diagram: DiagramFormat?

    @Option(
        help: ArgumentHelp(
            "Run the receiver model in virtual time instead: these bytes (in hex, spaces allowed) or eof arrive at SECONDS (e.g. \"0.5:00 05 00 00 00 00\"). Repeat for more; prints the model's trace.",
            valueName: "seconds:bytes"
        )
    )
    public var simulate: [String] = []

    public init() {}

    public func validate() throws {
        guard (0...Int(UInt32.max)).contains(maxBody) else {
            throw ValidationError("--max-body must be 0–4294967295 bytes")
        }
        guard frameTimeout > 0, frameTimeout.isFinite else {
            throw ValidationError("--frame-timeout must be a positive number of seconds")
        }
        guard maxQueue >= maxBody + 64 else {
            throw ValidationError(
                "--max-queue must hold at least one frame of --max-body bytes: \(maxBody + 64) or more"
            )
        }
        _ = try script()
    }

    public var settings: RouterSettings {
        RouterSettings(
            maxBody: maxBody,
            frameTimeout: .seconds(frameTimeout),
            maxQueue: maxQueue,
            trace: trace,
            quiet: quiet
        )
    }

    /// Until when `--simulate` runs the model: its last input. (A deadline after it does not show: end a script with
    /// a later input to see one.)
    public var simulationEnd: Duration {
        (try? script())?.last?.time ?? .zero
    }

    /// `--simulate 0:00 01 --simulate 2:eof` as timed receiver inputs.
    public func script() throws -> [Timed<ReceiverInput>] {
        try timedScript(simulate, example: "BYTES (in hex, as 00 01 4B) or SECONDS:eof") { text in
            if text == "eof" { return .eof }
            let digits = text.filter { !$0.isWhitespace }
            guard digits.count % 2 == 0, digits.allSatisfy(\.isHexDigit) else {
                throw ValidationError("--simulate …:\(text): expected bytes in hex, two digits each (00 01 4B), or eof")
            }
            var bytes: [UInt8] = []
            var index = digits.startIndex
            while index < digits.endIndex {
                let next = digits.index(index, offsetBy: 2)
                bytes.append(UInt8(digits[index..<next], radix: 16)!)
                index = next
            }
            return .bytes(bytes)
        }
    }
}

/// The router's limits, and what it prints.
public struct RouterSettings: Sendable {
    public var maxBody: Int
    public var frameTimeout: Duration
    public var maxQueue: Int
    public var trace: Bool
    public var quiet: Bool
    /// How long a connection being closed may take to send what it is owed: a client that said BYE and stopped
    /// reading must not hold its descriptor for ever.
    public var flushTime: Duration = .seconds(10)
    /// How long a connection being closed keeps reading (and dropping) what its client still sends, so that the
    /// last frames it was sent reach it before the close (see `linger`).
    public var linger: Duration = .seconds(2)

    public init(maxBody: Int, frameTimeout: Duration, maxQueue: Int, trace: Bool, quiet: Bool) {
        self.maxBody = maxBody
        self.frameTimeout = frameTimeout
        self.maxQueue = maxQueue
        self.trace = trace
        self.quiet = quiet
    }
}

/// Lab 4's listening socket, given: bound to `address` with `.reuseAddress`, a backlog of 1024, non-blocking (the
/// selector says when `accept` will not wait), and a descriptor limit raised for thousands of clients. Prints the
/// `listening on HOST:PORT` line the checker reads.
public func listeningSocket(at address: (String, Int)) throws -> Socket {
    try raiseOpenFileLimit()
    let socket = try Socket(.inet, .stream)
    try socket.setSockOpt(.reuseAddress, true)
    try socket.bind(address)
    try socket.listen(1024)
    print("listening on \(try socket.getSockName())")
    try socket.setBlocking(false)
    return socket
}
