import SocketKit
import Testing

@Suite struct AddressTests {
    @Test func printsIPv4AndIPv6AsTheLabsDo() throws {
        let v4 = try #require(SocketAddress.resolve(host: "127.0.0.1", port: 61538).first)
        #expect(v4.description == "127.0.0.1:61538")
        #expect(v4.family == .inet)
        #expect(v4.host == "127.0.0.1")
        #expect(v4.port == 61538)

        let v6 = try #require(SocketAddress.resolve(host: "::1", port: 61538).first)
        #expect(v6.description == "[::1]:61538")
        #expect(v6.family == .inet6)
    }

    @Test func resolvesHostNamesPerFamily() throws {
        let v4 = try SocketAddress.resolve(host: "localhost", port: 80, family: .inet)
        #expect(v4.map(\.description).contains("127.0.0.1:80"))
        #expect(v4.allSatisfy { $0.family == .inet })
    }

    @Test func emptyHostIsTheWildcard() throws {
        let any = try #require(SocketAddress.resolve(host: "", port: 5001, family: .inet).first)
        #expect(any.description == "0.0.0.0:5001")
    }

    @Test func unixPaths() throws {
        let address = try SocketAddress(unixPath: "/tmp/echo.sock")
        #expect(address.description == "/tmp/echo.sock")
        #expect(address.family == .unix)
        #expect(address.path == "/tmp/echo.sock")
        #expect(throws: SocketError.self) { try SocketAddress(unixPath: String(repeating: "x", count: 200)) }
    }

    @Test func badHostsAndPortsSayWhatWasWrong() throws {
        let unknown = #expect(throws: SocketError.self) {
            try SocketAddress.resolve(host: "no-such-host.invalid", port: 1)
        }
        #expect(unknown?.description.contains("cannot resolve no-such-host.invalid") == true)
        #expect(unknown?.description.contains("use an IP address such as 127.0.0.1") == true)

        let port = #expect(throws: SocketError.self) { try SocketAddress.resolve(host: "127.0.0.1", port: 70000) }
        #expect(port?.description.contains("port 70000 is out of range (0–65535)") == true)
    }

    @Test func equalAddressesAreEqual() throws {
        let a = try SocketAddress.resolve(host: "127.0.0.1", port: 7)
        let b = try SocketAddress.resolve(host: "127.0.0.1", port: 7)
        let c = try SocketAddress.resolve(host: "127.0.0.1", port: 8)
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a + b + c).count == 2)
    }
}
