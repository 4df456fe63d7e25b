import ArgumentParser
import LabSupport
import SocketKit

/// The lecture's echo server: it serves one client at a time, sending back every byte until the client closes,
/// then waits for the next one.
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

        let s = try Socket(.inet, .stream)
        try s.setSockOpt(.reuseAddress, true)
        try s.bind(endpoint.address)
        try s.listen()
        print("listening on \(try s.getSockName())")

        while true {
            let (conn, addr) = try s.accept()
            print("Connected by \(addr)")
            do {
                try echo(conn, from: addr)
                print("Connection from \(addr) closed")
            } catch {
                // A client that vanishes mid-conversation must not take the server down with it.
                print("Connection from \(addr) failed: \(error)")
            }
            conn.close()
        }
    }

    /// Sends back everything the client sends, until it closes its side (recv returns nothing).
    func echo(_ conn: Socket, from addr: SocketAddress) throws {
        while true {
            let data = try conn.recv(1024)
            if data.isEmpty { break }
            print("Received \(repr(data)) from \(addr)")
            if pause { pressEnterToProceed() }
            try conn.sendAll(data)
        }
    }

    /// UDP: every datagram is answered on its own, to whoever sent it. No accept, no connection, no end of file.
    func serveDatagrams() throws {
        let s = try Socket(.inet, .datagram)
        try s.bind(endpoint.address)
        print("listening on \(try s.getSockName())")
        while true {
            let (data, addr) = try s.recvFrom(65535)
            print("Received \(repr(data)) from \(addr)")
            if pause { pressEnterToProceed() }
            try s.sendTo(data, addr)
        }
    }
}
