import SocketKit
import Testing

@Suite struct DatagramTests {
    @Test(arguments: [(Socket.Family.inet, "127.0.0.1"), (.inet6, "::1")])
    func datagramsKeepTheirBoundariesAndSender(family: Socket.Family, host: String) throws {
        let server = try Socket(family, .datagram)
        let client = try Socket(family, .datagram)
        defer {
            server.close()
            client.close()
        }
        try server.bind((host, 0))
        try client.bind((host, 0))
        try server.setTimeout(5)
        try client.setTimeout(5)
        let port = try server.getSockName().port
        try client.sendTo(Array("one".utf8), (host, port))
        try client.sendTo(Array("two".utf8), (host, port))
        let (first, sender) = try server.recvFrom(1024)
        let (second, _) = try server.recvFrom(1024)
        #expect(first == Array("one".utf8))
        #expect(second == Array("two".utf8))
        #expect(sender == (try client.getSockName()))
        try server.sendTo(first, sender)
        #expect(try client.recvFrom(1024).0 == Array("one".utf8))
    }
}
