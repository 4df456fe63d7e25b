import SocketKit
import Testing

@Suite struct AddressTests {
    @Test func printsIPv4AndIPv6LikeTheLabsDo() throws {
        let v4 = try #require(SocketAddress.resolve(host: "127.0.0.1", port: 61538).first)
        #expect(v4.description == "127.0.0.1:61538")
        let v6 = try #require(SocketAddress.resolve(host: "::1", port: 61538).first)
        #expect(v6.description == "[::1]:61538")
        #expect(v6.family == .inet6)
    }
}
