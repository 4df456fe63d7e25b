import Foundation
import SocketKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes a program holds go to the socket calls as they are: arrays, slices, `Data`, strings, raw memory.
@Suite struct BufferTests {
    @Test func recvIntoFillsAnArrayASliceOrDataFromTheirFront() throws {
        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }

        try client.sendAll("hello")
        var buffer = [UInt8](repeating: 0xEE, count: 64)
        let n = try receiveAll(5) { try server.recvInto(&buffer[$0...]) }
        #expect(n == 5)
        #expect(buffer[..<5] == Array("hello".utf8)[...])
        #expect(buffer[5...].allSatisfy { $0 == 0xEE }, "recvInto wrote past what it received")

        // Into the middle of the array: a slice, written in place of the array's own bytes.
        try client.sendAll(" world")
        let more = try receiveAll(6) { try server.recvInto(&buffer[(5 + $0)...]) }
        #expect(more == 6)
        #expect(String(decoding: buffer[..<11], as: UTF8.self) == "hello world")

        var data = Data(repeating: 0xEE, count: 16)
        try client.sendAll(Data("données".utf8))
        let count = try receiveAll(8) { try server.recvInto(&data[$0...]) }
        #expect(data.prefix(count) == Data("données".utf8))
        #expect(data.dropFirst(count).allSatisfy { $0 == 0xEE })
    }

    @Test func sendAndSendAllTakeSlicesDataAndStrings() throws {
        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }
        let buffer = patterned(100_000)
        try client.sendAll(buffer[10..<60_010])
        try client.sendAll(Data(buffer[..<10]))
        var sent = 0
        while sent < 5 { sent += try client.send(buffer[sent..<5]) }
        try client.sendAll("end")
        try client.shutdown(.write)
        #expect(try readAll(server) == Array(buffer[10..<60_010]) + buffer[..<10] + buffer[..<5] + Array("end".utf8))
    }

    @Test func aBufferOfNoBytesReceivesNothingAndSendsNothing() throws {
        let (server, client, listener) = try connectedPair()
        defer { for socket in [server, client, listener] { socket.close() } }
        var empty: [UInt8] = []
        try server.setBlocking(false)
        #expect(try server.recvInto(&empty) == 0)
        #expect(try client.send([UInt8]()[...]) == 0)
    }

    @Test func recvFromIntoTellsTheLengthAndTheSender() throws {
        let server = try Socket(.inet, .datagram)
        let client = try Socket(.inet, .datagram)
        defer {
            server.close()
            client.close()
        }
        try server.bind(("127.0.0.1", 0))
        try client.bind(("127.0.0.1", 0))
        try server.setTimeout(5)
        try client.setTimeout(5)
        let address = try server.getSockName()

        try client.sendTo("one", address)
        try client.sendTo(Array("two".utf8)[...], ("127.0.0.1", address.port))
        var buffer = [UInt8](repeating: 0, count: 16)
        let (count, sender) = try server.recvFromInto(&buffer)
        #expect(count == 3 && buffer[..<count] == Array("one".utf8)[...])
        #expect(sender == (try client.getSockName()))
        var data = Data(count: 2)  // shorter than the datagram: the rest is lost, as in Python
        let (cut, _) = try server.recvFromInto(&data)
        #expect(cut == 2 && data == Data("tw".utf8))

        // Into raw memory, for programs that manage their own.
        try client.sendTo(Data("raw".utf8), address)
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 1)
        defer { raw.deallocate() }
        let (rawCount, _) = try server.recvFromInto(raw)
        #expect(Array(raw[..<rawCount]) == Array("raw".utf8))
    }

    @Test func connectExTakesTheAddressThatResolveOrAcceptGave() throws {
        let listener = try Socket.createServer(("127.0.0.1", 0))
        defer { listener.close() }
        let client = try Socket()
        defer { client.close() }
        #expect(try client.connectEx(listener.getSockName()) == 0)

        let nobody = try SocketAddress.resolve(host: "127.0.0.1", port: closedPort())[0]
        let refused = try Socket()
        defer { refused.close() }
        #expect(try refused.connectEx(nobody) == ECONNREFUSED)
    }

    /// Calls `receive` (given how many bytes have arrived so far) until `count` bytes have: TCP may split them.
    private func receiveAll(_ count: Int, _ receive: (Int) throws -> Int) throws -> Int {
        var received = 0
        while received < count {
            let n = try receive(received)
            if n == 0 { break }
            received += n
        }
        return received
    }
}
