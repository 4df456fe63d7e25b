import ArgumentParser
import DEVSKit
import Lab5Protocol
import LabSupport
import SocketKit

/// The lecture's router: clients log in under a name and send each other framed messages through it. One thread and
/// one selector serve every client (lab 4); each connection's receiving side is the DEVS model drawn in the handout.
/// Work through Labs/05-framed-protocol/README.md and check with `make check LAB=5`.
@main
struct Router: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab5-router", abstract: "Relays framed messages between named clients (lab 5's protocol).")

    @OptionGroup var endpoint: EndpointOptions

    @Option(help: "The longest frame body accepted, in bytes: a longer one is answered with too-large and the connection closed.")
    var maxBody = 65_536

    @Option(help: "Seconds a frame may take to arrive once its first byte has: then timeout, and the connection is closed.")
    var frameTimeout = 5.0

    @Option(help: "Bytes that may wait for a client that reads too slowly before it is disconnected.")
    var maxQueue = 1 << 20

    @Flag(help: "Print every transition of every connection's receiver model as it happens.")
    var trace = false

    @Flag(help: "Print only the listening line (for benchmarks).")
    var quiet = false

    @Option(help: "Print the receiver model's diagram (mermaid or dot) and exit.")
    var diagram: DiagramFormat?

    func validate() throws {
        guard (0...Int(UInt32.max)).contains(maxBody) else { throw ValidationError("--max-body must be 0–4294967295 bytes") }
        guard frameTimeout > 0, frameTimeout.isFinite else { throw ValidationError("--frame-timeout must be a positive number of seconds") }
        guard maxQueue >= maxBody + 64 else {
            throw ValidationError("--max-queue must hold at least one frame of --max-body bytes: \(maxBody + 64) or more")
        }
    }

    func run() throws {
        let model = try receiverModel(frameTimeout: .seconds(frameTimeout))
        if let diagram { return print(model.diagram(diagram), terminator: "") }

        // TODO step 3: a listening socket as in lab 4: raiseOpenFileLimit(), a TCP socket with .reuseAddress, bind to
        //   endpoint.address, listen(1024), print "listening on ADDRESS" (getSockName()), setBlocking(false). Then run
        //   the event loop: try EventLoop(listening: lsock, model: model, settings: RouterSettings(maxBody: maxBody,
        //   frameTimeout: .seconds(frameTimeout), maxQueue: maxQueue, trace: trace, quiet: quiet)).run()
        throw NotImplemented("step 3 — listen, then run the event loop")
    }
}

extension DiagramFormat: ExpressibleByArgument {}
