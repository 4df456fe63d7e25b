import ArgumentParser
import LabSupport
import SocketKit

/// The lecture's multi-connection echo server, done right: one thread and one selector serve every client, and a
/// client that reads slowly, never sends, or vanishes holds up nobody.
/// Work through Labs/04-multiplexed-echo/README.md and check with `make check LAB=4`.
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
        try raiseDescriptorLimit()  // given: step 4
        // TODO step 1: a TCP socket with SO_REUSEADDR, bound to endpoint.address, listen(4096); print
        //   "listening on ADDRESS" with getSockName(); make it non-blocking; then
        //   try EchoLoop(listening: lsock, quiet: quiet, alwaysWritable: alwaysWritable).run()
        throw NotImplemented("step 1 — the listening socket, non-blocking")
    }

    /// Every connection is a descriptor: allow as many as the system lets this process have.
    func raiseDescriptorLimit() throws {
        // TODO step 4: raiseOpenFileLimit() (SocketKit) raises the limit to the hard one (ulimit -Hn) and returns it;
        //   unless quiet print "up to N open descriptors".
    }
}
