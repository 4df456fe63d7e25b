import ArgumentParser
import LabSupport
import SocketKit

/// The lecture's echo server: it serves one client at a time, sending back every byte until the client closes,
/// then waits for the next one. Work through Labs/03-blocking-echo/README.md and check with `make check LAB=3`.
@main
struct EchoServer: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab3-echo-server", abstract: "The lecture's blocking echo server (TCP, or UDP with --udp).")

    @OptionGroup var endpoint: EndpointOptions

    @Flag(help: "Wait for Enter before each echo, as on the slide, to watch the client block.")
    var pause = false

    @Flag(help: "Echo UDP datagrams (SOCK_DGRAM) instead: no connection, no accept.")
    var udp = false

    func run() throws {
        if udp { return try serveDatagrams() }

        // TODO step 1: create a TCP socket, bind it to endpoint.address, listen, and print
        //   "listening on ADDRESS" with the address getSockName() returns. Then accept a client, print
        //   "Connected by ADDR", and call echo(conn, from: addr).
        // TODO step 2: accept clients in a loop, closing each connection when echo returns.
        // TODO step 3: a client that vanishes mid-conversation makes echo throw: report it, and serve the next one.
        throw NotImplemented("step 1 — socket, bind, listen, accept")
    }

    /// Sends back everything the client sends, until it closes its side.
    func echo(_ conn: Socket, from addr: SocketAddress) throws {
        // TODO step 1: receive with conn.recv(1024), print "Received <repr(data)> from ADDR", send it back with sendAll.
        // TODO step 2: repeat until recv returns an empty array: the client has closed its side.
        // TODO step 5: with --pause, call pressEnterToProceed() before each sendAll.
        throw NotImplemented("step 1 — receive a message and send it back")
    }

    /// UDP: every datagram is answered on its own, to whoever sent it.
    func serveDatagrams() throws {
        // TODO step 6: a .datagram socket, bind, print "listening on ADDRESS"; then forever: recvFrom(65535), print
        //   "Received <repr(data)> from ADDR", and sendTo the data back to ADDR.
        throw NotImplemented("step 6 — the UDP echo server")
    }
}
