import ArgumentParser

/// The lecture's port, `PORT = 65432`: every lab server's default, and the port replays and scripts talk to.
public let lecturePort = 65432

/// `--host` and `--port`, shared by every lab program that listens or connects. The defaults are the lecture's
/// `HOST = '127.0.0.1'` and `PORT = 65432`.
public struct EndpointOptions: ParsableArguments {
    @Option(help: "The host to listen on or connect to.")
    public var host = "127.0.0.1"

    @Option(help: "The port (a server given 0 picks a free one and prints it).")
    public var port = lecturePort

    public init() {}

    /// `(host, port)`, the tuple Python passes to bind and connect.
    public var address: (String, Int) { (host, port) }

    public func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port \(port) is not a port: use 1–65535 (or 0 for any free port)")
        }
    }
}
