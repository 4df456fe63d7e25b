import ArgumentParser
import LabSupport
import SocketKit

/// The lecture's multi-connection echo server, done right: one thread and one selector serve every client, and a
/// client that reads slowly, never sends, or vanishes holds up nobody.
@main
struct MuxServer: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab4-mux-server",
        abstract: "The lecture's multiplexed echo server: one thread, one selector."
    )

    @OptionGroup var endpoint: EndpointOptions

    @Flag(help: "Do not print accept and close events (for benchmarks).")
    var quiet = false

    @Flag(help: "Watch every connection for writing all the time, as the lecture does — only to measure what it costs.")
    var alwaysWritable = false

    func run() throws {
        try raiseDescriptorLimit()
        let lsock = try Socket(.inet, .stream)
        try lsock.setSockOpt(.reuseAddress, true)
        try lsock.bind(endpoint.address)
        try lsock.listen(4096)  // a burst of thousands of connects must not overflow the queue before we accept
        print("listening on \(try lsock.getSockName())")
        try lsock.setBlocking(false)

        let server = try EchoLoop(listening: lsock, quiet: quiet, alwaysWritable: alwaysWritable)
        try server.run()
    }

    /// Every connection is a descriptor: allow as many as the system lets this process have.
    func raiseDescriptorLimit() throws {
        let limit = try raiseOpenFileLimit()
        if !quiet { print("up to \(limit) open descriptors") }
    }
}
