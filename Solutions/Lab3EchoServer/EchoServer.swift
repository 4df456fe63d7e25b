import ArgumentParser
import Foundation
import LabSupport
import SocketKit

/// The lecture's echo server: it serves one client at a time, sending back every byte until the client closes,
/// then waits for the next one.
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

        let s = try Socket(.inet, .stream)
        try s.setSockOpt(.reuseAddress, true)
        try s.bind(endpoint.address)
        try s.listen()
        print("listening on \(try s.getSockName())")
        try acceptClients(on: s)
    }

    /// One client at a time, each served to its end; then the next.
    func acceptClients(on s: Socket) throws {
        while true {
            let (conn, addr) = try s.accept()
            print("Connected by \(addr)")
            try serve(conn, from: addr)
        }
    }

    /// One client, from accept to close. A client that vanishes mid-conversation makes echo throw a SocketError:
    /// that ends this conversation, never the server. Anything else (a bug) still stops it.
    func serve(_ conn: Socket, from addr: SocketAddress) throws {
        defer { conn.close() }
        do {
            try echo(conn, from: addr)
            print("Connection from \(addr) closed")
        } catch let error as SocketError {
            print("Connection from \(addr) failed: \(error)")
        }
    }

    /// Sends back everything the client sends, until it closes its side.
    func echo(_ conn: Socket, from addr: SocketAddress) throws {
        while let data = try receive(from: conn) {
            print("Received \(repr(data)) from \(addr)")
            pauseIfAsked()
            try conn.sendAll(data)
        }
    }

    /// What one recv brings, or nil once the client has closed its side: recv then returns an empty array, at once
    /// and every time.
    func receive(from conn: Socket) throws -> [UInt8]? {
        let data = try conn.recv(1024)
        return data.isEmpty ? nil : data
    }

    /// With --pause, the slide's input("Press enter to proceed"): the echo waits for Enter.
    func pauseIfAsked() {
        if pause { pressEnterToProceed() }
    }

    /// UDP: every datagram is answered on its own, to whoever sent it. No accept, no connection, no end of file.
    func serveDatagrams() throws {
        let s = try Socket(.inet, .datagram)
        try s.bind(endpoint.address)
        print("listening on \(try s.getSockName())")
        while true {
            let (data, addr) = try s.recvFrom(65535)
            print("Received \(repr(data)) from \(addr)")
            pauseIfAsked()
            try s.sendTo(data, addr)
        }
    }

    /// The same server on a Unix domain socket: a path instead of a host and port, for clients on this machine only.
    /// The socket's file stays after the server has gone, so the server removes it on the way out (Ctrl-C included)
    /// — and a file a killed server left behind before bind.
    func serveUnixSocket(at path: String) throws {
        let files = FileManager.default
        if let type = try? files.attributesOfItem(atPath: path)[.type] as? FileAttributeType {
            guard type == .typeSocket else { throw Failure("\(path) exists and is not a socket: not removing it") }
            // Stale only if nobody answers there: a running server's file is not ours to take.
            guard (try? Socket(.unix, .stream).connect(path)) == nil else {
                throw Failure("another server is listening on \(path)")
            }
            try files.removeItem(atPath: path)
        }
        let s = try Socket(.unix, .stream)
        try s.bind(path)
        defer { try? files.removeItem(atPath: path) }
        whenStopped { try? FileManager.default.removeItem(atPath: path) }
        try s.listen()
        print("listening on \(try s.getSockName())")
        try acceptClients(on: s)
    }
}
