import ArgumentParser
import LabSupport
import SocketKit

/// The lecture's echo client: it sends a message (or each line typed on standard input) and prints what comes back.
/// Work through Labs/03-blocking-echo/README.md and check with `make check LAB=3`.
@main
struct EchoClient: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab3-echo-client",
        abstract: "The lecture's echo client (TCP; UDP with --udp; a Unix domain socket with --unix)."
    )

    @OptionGroup var endpoint: EndpointOptions

    @Argument(help: "The message to send. Without one, each line of standard input is sent in turn.")
    var message: String?

    @Flag(help: "Wait for Enter before sending the message, as on the slide.")
    var pause = false

    @Flag(help: "Send a UDP datagram (SOCK_DGRAM) instead of opening a connection.")
    var udp = false

    @Option(help: "Connect to a Unix domain socket at this path instead of a TCP port (e.g. /tmp/echo.sock).")
    var unix: String?

    func run() throws {
        if udp { return try sendDatagram(Array((message ?? "Hello, world").utf8)) }

        // TODO step 4: create a TCP socket and connect it to endpoint.address. Then call echo(_:over:) with the
        //   message, or, without one, with each line of standard input (readLine(strippingNewline: false)).
        //   Finally shutdown(.write) and close.
        // TODO step 7: with --unix PATH, a .unix stream socket connected to the path instead; the rest is the same.
        throw NotImplemented("step 4 — connect and send")
    }

    /// Sends `data` and prints the echo once all of it has come back.
    func echo(_ data: [UInt8], over s: Socket) throws {
        // TODO step 4: print "I am going to send <repr(data)>", call pauseIfAsked(), sendAll, then recv until as many
        //   bytes as you sent have come back (one recv may return only part of them), and print
        //   "Received <repr(received)>".
        throw NotImplemented("step 4 — send and receive the echo")
    }

    /// With --pause and a message given, the slide's input("Press enter to proceed"): the message waits for Enter.
    /// (Not for lines typed on standard input: there, Enter would be read as the next line to send.)
    func pauseIfAsked() {
        // TODO step 5: with --pause and a message argument, call pressEnterToProceed().
        if pause { notImplemented("step 5 — pauseIfAsked() must wait for Enter with --pause") }
    }

    /// UDP: one datagram out, one back.
    func sendDatagram(_ data: [UInt8]) throws {
        // TODO step 6: a .datagram socket with a 2-second timeout; sendTo the server, recvFrom its reply, and print
        //   "Received <repr(reply)> from ADDR". On a timeout, throw Failure("no reply within 2 s: …").
        throw NotImplemented("step 6 — the UDP echo client")
    }
}
