import Foundation
import ProcessKit
import SocketKit
import TestSupport
import Testing

@testable import LabCheckKit

/// A failed step's capture opens in tshark (Debian's package), its TCP stream follows, and lab 5's dissector names
/// the frames in it.
@Suite(.requires(tool: "tshark")) struct CaptureTests {
    static func address(_ host: String, _ port: Int) throws -> SocketAddress {
        try SocketAddress.resolve(host: host, port: port)[0]
    }

    /// HELLO "Kim" split across two segments, then WELCOME "Kim" back; over IPv4 or IPv6.
    static func helloCapture(host: String) throws -> String {
        let recording = Recording()
        let checker = try address(host, 50_123)
        let router = try address(host, 40_321)
        recording.record(.connected(connection: 1, label: "kim", port: 40_321, local: checker, remote: router))
        recording.record(.sent(connection: 1, bytes: [0x00, 0x01, 0x00, 0x00]))
        recording.record(.sent(connection: 1, bytes: [0x00, 0x03, 0x4B, 0x69, 0x6D]))
        recording.record(.received(connection: 1, bytes: [0x00, 0x81, 0x00, 0x00, 0x00, 0x03, 0x4B, 0x69, 0x6D]))
        recording.record(.closed(connection: 1))
        let bytes = try #require(Capture.pcapng(recording.events, startedAt: recording.startDate))
        let path = NSTemporaryDirectory() + "capture-\(UUID().uuidString).pcapng"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func tshark(_ arguments: [String]) throws -> String {
        try runPeer("tshark", arguments)
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func tsharkFollowsTheStream(host: String) throws {
        let path = try Self.helloCapture(host: host)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let packets = try Self.tshark(["-r", path, "-T", "fields", "-e", "tcp.flags.str", "-e", "tcp.len"])
        #expect(packets.split(separator: "\n").count == 7)  // SYN, SYN-ACK, ACK, two pieces, the reply, FIN
        let follow = try Self.tshark(["-r", path, "-q", "-z", "follow,tcp,hex,0"])
        #expect(follow.contains("4b 69 6d"), "the stream as tshark reassembled it:\n\(follow)")
        let checksums = try Self.tshark([
            "-r", path, "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-e", "tcp.checksum.status",
        ])
        #expect(checksums.split(separator: "\n").allSatisfy { $0 == "1" }, "TCP checksums: \(checksums)")  // 1 = good
    }

    @Test func theLab5DissectorNamesTheFrames() throws {
        let path = try Self.helloCapture(host: "127.0.0.1")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dissector = root.appendingPathComponent("Labs/05-framed-protocol/lab5.lua").path
        let frames = try Self.tshark([
            "-X", "lua_script:\(dissector)", "-r", path, "-Y", "lab5", "-T", "fields", "-e", "lab5.name", "-e",
            "lab5.body",
        ])
        #expect(frames.split(separator: "\n") == ["HELLO\tKim", "WELCOME\tKim"])
    }
}
