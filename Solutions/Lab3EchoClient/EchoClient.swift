import ArgumentParser
import LabSupport
import SocketKit

/// The lecture's echo client: it sends a message (or each line typed on standard input) and prints what comes back.
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

        // The same conversation over either kind of stream socket: only the address differs.
        let s: Socket
        if let path = unix {
            s = try Socket(.unix, .stream)
            try s.connect(path)
        } else {
            s = try Socket(.inet, .stream)
            try s.connect(endpoint.address)
        }
        defer { s.close() }

        if let message {
            try echo(Array(message.utf8), over: s)
        } else {
            while let line = readLine(strippingNewline: false) {
                try echo(Array(line.utf8), over: s)
            }
        }
        try s.shutdown(.write)
    }

    /// Sends `data` and waits until as many bytes have come back: one recv may return only part of the echo.
    func echo(_ data: [UInt8], over s: Socket) throws {
        print("I am going to send \(repr(data))")
        pauseIfAsked()
        try s.sendAll(data)
        var received: [UInt8] = []
        while received.count < data.count {
            let chunk = try s.recv(1024)
            if chunk.isEmpty {
                throw Failure("the server closed the connection after \(received.count) of \(data.count) bytes")
            }
            received += chunk
        }
        print("Received \(repr(received))")
    }

    /// With --pause and a message given, the slide's input("Press enter to proceed"): the message waits for Enter.
    /// (Not for lines typed on standard input: there, Enter would be read as the next line to send.)
    func pauseIfAsked() {
        if pause && message != nil { pressEnterToProceed() }
    }

    /// UDP: one datagram out, one back — or none, since UDP does not retransmit what gets lost.
    func sendDatagram(_ data: [UInt8]) throws {
        let s = try Socket(.inet, .datagram)
        defer { s.close() }
        try s.setTimeout(2)
        print("I am going to send \(repr(data))")
        pauseIfAsked()
        try s.sendTo(data, endpoint.address)
        do {
            let (reply, addr) = try s.recvFrom(65535)
            print("Received \(repr(reply)) from \(addr)")
        } catch let error as SocketError where error.isTimeout {
            throw Failure(
                "no reply within 2 s: UDP does not retransmit, so a lost datagram stays lost — is the server running with --udp?"
            )
        }
    }
}
