import SocketKit
import Testing

@Suite struct OutputBufferTests {
    /// A reader slower than the writer: the buffer sends what the socket takes, keeps the rest, and the bytes come
    /// out whole and in order however the partial sends fell.
    @Test func partialSendsKeepEveryByteInOrder() throws {
        let (server, client, _) = try connectedPair()
        try server.setBlocking(false)
        try server.setSockOpt(.sendBufferSize, 16384)  // small system buffers: the sends must come out partial
        try client.setSockOpt(.receiveBufferSize, 16384)
        let message = patterned(200_000)
        var buffer = OutputBuffer()
        for start in stride(from: 0, to: message.count, by: 10_000) {
            buffer.append(message[start..<min(message.count, start + 10_000)])
        }
        #expect(buffer.count == message.count)
        #expect(try buffer.flush(to: server) == false)  // the socket could not take it all at once
        #expect(buffer.count > 0 && buffer.count < message.count)

        var received: [UInt8] = []
        while received.count < message.count {
            received += try client.recv(65536)
            try buffer.flush(to: server)
        }
        #expect(buffer.isEmpty)
        #expect(received == message)
    }

    @Test func aPeerThatIsGoneIsAnErrorNotAWouldBlock() throws {
        let (server, client, _) = try connectedPair()
        try server.setBlocking(false)
        try client.setSockOpt(.linger, 0)
        client.close()  // a reset
        var buffer = OutputBuffer()
        buffer.append(patterned(1000))
        // The first send may still be taken before the reset is seen; within a few, it must fail.
        #expect(throws: SocketError.self) {
            for _ in 0..<100 {
                buffer.append(patterned(1000))
                try buffer.flush(to: server)
            }
        }
    }

    @Test func removeAllForgetsWhatWaits() {
        var buffer = OutputBuffer()
        buffer.append([1, 2, 3])
        buffer.removeAll()
        #expect(buffer.isEmpty && buffer.count == 0)
    }
}
