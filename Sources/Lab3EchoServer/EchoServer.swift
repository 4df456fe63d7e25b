import ArgumentParser
import Foundation
import LabSupport
import SocketKit

/// The lecture's echo server: it serves one client at a time, sending back every byte until the client closes,
/// then waits for the next one. Work through Labs/03-blocking-echo/README.md and check with `make check LAB=3`.
@main
struct EchoServer: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab3-echo-server",
        abstract: "The lecture's blocking echo server (TCP; UDP with --udp; a Unix domain socket with --unix)."
    )

    @OptionGroup var endpoint: EndpointOptions

    @Flag(help: "Wait for Enter before each echo, as on the slide, to watch the client block.")
    var pause = false

    @Flag(help: "Echo UDP datagrams (SOCK_DGRAM) instead: no connection, no accept.")
    var udp = false

    @Option(help: "Listen on a Unix domain socket at this path instead of a TCP port (e.g. /tmp/echo.sock).")
    var unix: String?

    func run() throws {
        if udp { return try serveDatagrams() }
        if let path = unix { return try serveUnixSocket(at: path) }

        // TODO step 1: create a TCP socket, set .reuseAddress, bind it to endpoint.address, listen, and print
        //   "listening on ADDRESS" with the address getSockName() returns. Then acceptClients(on: s).
        throw NotImplemented("step 1 — socket, bind, listen")
    }

    /// One client at a time, each served to its end; then the next.
    func acceptClients(on s: Socket) throws {
        // TODO step 1: accept a client, print "Connected by ADDR", and serve(conn, from: addr).
        // TODO step 2: accept clients in a loop: when one has been served, wait for the next.
        throw NotImplemented("step 1 — accept a client")
    }

    /// One client, from accept to close. A client that vanishes mid-conversation makes echo throw a SocketError:
    /// that ends this conversation, never the server. Anything else (a bug) still stops it.
    func serve(_ conn: Socket, from addr: SocketAddress) throws {
        defer { conn.close() }
        // TODO step 3: catch the SocketError echo throws when a client vanishes (catch let error as SocketError),
        //   print "Connection from ADDR failed: <error>", and return: the server goes on with the next client.
        try echo(conn, from: addr)
    }

    /// Sends back everything the client sends, until it closes its side.
    func echo(_ conn: Socket, from addr: SocketAddress) throws {
        // TODO step 1: while let data = try receive(from: conn): print "Received <repr(data)> from ADDR", call
        //   pauseIfAsked(), and send the data back with sendAll.
        throw NotImplemented("step 1 — receive and send back")
    }

    /// What one recv brings, or nil once the client has closed its side: recv then returns an empty array, at once
    /// and every time.
    func receive(from conn: Socket) throws -> [UInt8]? {
        // TODO step 2: return nil when recv returns an empty array: the client has closed its side.
        let data = try conn.recv(1024)
        if data.isEmpty {
            throw NotImplemented(
                "step 2 — receive(from:) must return nil when recv returns nothing: the client has closed its side"
            )
        }
        return data
    }

    /// With --pause, the slide's input("Press enter to proceed"): the echo waits for Enter.
    func pauseIfAsked() {
        // TODO step 5: with --pause, call pressEnterToProceed().
        if pause { notImplemented("step 5 — pauseIfAsked() must wait for Enter with --pause") }
    }

    /// UDP: every datagram is answered on its own, to whoever sent it.
    func serveDatagrams() throws {
        // TODO step 6: a .datagram socket, bind, print "listening on ADDRESS"; then forever: recvFrom(65535), print
        //   "Received <repr(data)> from ADDR", and sendTo the data back to ADDR.
        throw NotImplemented("step 6 — the UDP echo server")
    }

    /// The same server on a Unix domain socket: a path instead of a host and port, for clients on this machine only.
    /// The socket's file stays after the server has gone, so the server removes it on the way out (Ctrl-C included)
    /// — and a file a killed server left behind before bind.
    func serveUnixSocket(at path: String) throws {
        // TODO step 7: if a socket file is at path already (FileManager's attributesOfItem(atPath:), type
        //   .typeSocket), remove it; if something else is there, throw Failure — never delete what is not a socket.
        //   Then a .unix stream socket: bind(path), remove the file when the server stops — defer, for an error, and
        //   whenStopped { … }, for Ctrl-C and kill —, listen, print "listening on PATH", acceptClients(on: s).
        throw NotImplemented("step 7 — the echo server on a Unix domain socket")
    }
}
