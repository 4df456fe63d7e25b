import Foundation
import SocketKit

/// The bytes on the wire of a step, as a packet capture Wireshark and tshark open (`.labcheck/lab3-step2.pcapng`).
///
/// Made from the recording, not sniffed: no root, no tcpdump. Each of the checker's connections becomes a TCP stream
/// with its handshake, its data in both directions with consistent sequence numbers (so Wireshark follows the stream
/// and reassembles frames that span segments), and its end (FIN or RST). What a program sent that the checker never
/// read is not in it.
enum Capture {
    /// pcapng for the connections in `events`; nil when there were none.
    static func pcapng(_ events: [Recording.Entry], startedAt start: Date) -> [UInt8]? {
        var streams: [Int: Stream] = [:]
        var packets: [(time: Duration, bytes: [UInt8])] = []
        for entry in events {
            switch entry.event {
            case .connected(_, _, _, let local, _) where local.family == .unix,
                .accepted(_, _, _, let local, _) where local.family == .unix:
                break  // a Unix socket has no wire, and no packets to show: its bytes are in the transcript
            case .connected(let number, _, _, let local, let remote):
                // The checker connected: it is the client.
                var stream = Stream(client: local, server: remote, checkerIsClient: true, seed: number)
                packets += stream.handshake().map { (entry.time, $0) }
                streams[number] = stream
            case .accepted(let number, _, _, let local, let remote):
                var stream = Stream(client: remote, server: local, checkerIsClient: false, seed: number)
                packets += stream.handshake().map { (entry.time, $0) }
                streams[number] = stream
            case .sent(let number, let bytes):
                packets += streams[number]?.data(bytes, fromChecker: true).map { (entry.time, $0) } ?? []
            case .received(let number, let bytes):
                packets += streams[number]?.data(bytes, fromChecker: false).map { (entry.time, $0) } ?? []
            case .halfClosed(let number), .closed(let number):
                packets += streams[number]?.finish(fromChecker: true).map { (entry.time, $0) } ?? []
            case .reset(let number):
                packets += streams[number]?.reset().map { (entry.time, $0) } ?? []
            case .started, .listening, .typed, .awaited, .connectFailed, .checkerListening:
                break
            }
        }
        guard !packets.isEmpty else { return nil }
        var file = PcapngWriter()
        for packet in packets {
            file.packet(packet.bytes, at: start.addingTimeInterval(Check.seconds(packet.time)))
        }
        return file.bytes
    }

    /// One TCP connection's two directions: addresses, ports and the next sequence number of each side.
    struct Stream {
        let client: SocketAddress
        let server: SocketAddress
        let checkerIsClient: Bool
        var clientSequence: UInt32
        var serverSequence: UInt32
        var clientFinished = false
        var serverFinished = false

        init(client: SocketAddress, server: SocketAddress, checkerIsClient: Bool, seed: Int) {
            self.client = client
            self.server = server
            self.checkerIsClient = checkerIsClient
            clientSequence = UInt32(truncatingIfNeeded: 1_000 + seed * 100_003)
            serverSequence = UInt32(truncatingIfNeeded: 500_000 + seed * 200_009)
        }

        mutating func handshake() -> [[UInt8]] {
            let syn = segment(fromClient: true, flags: TCPFlags.syn, payload: [])
            clientSequence &+= 1
            let synAck = segment(fromClient: false, flags: TCPFlags.syn | TCPFlags.ack, payload: [])
            serverSequence &+= 1
            let ack = segment(fromClient: true, flags: TCPFlags.ack, payload: [])
            return [syn, synAck, ack]
        }

        /// Data in segments of at most 16 KiB (an IPv4 packet holds less than 64 KiB).
        mutating func data(_ bytes: [UInt8], fromChecker: Bool) -> [[UInt8]] {
            let fromClient = fromChecker == checkerIsClient
            var segments: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                let piece = Array(bytes[offset..<min(bytes.count, offset + 16_384)])
                segments.append(segment(fromClient: fromClient, flags: TCPFlags.ack | TCPFlags.push, payload: piece))
                if fromClient { clientSequence &+= UInt32(piece.count) } else { serverSequence &+= UInt32(piece.count) }
                offset += piece.count
            }
            return segments
        }

        mutating func finish(fromChecker: Bool) -> [[UInt8]] {
            let fromClient = fromChecker == checkerIsClient
            if fromClient ? clientFinished : serverFinished { return [] }
            let fin = segment(fromClient: fromClient, flags: TCPFlags.fin | TCPFlags.ack, payload: [])
            if fromClient {
                clientSequence &+= 1
                clientFinished = true
            } else {
                serverSequence &+= 1
                serverFinished = true
            }
            return [fin]
        }

        mutating func reset() -> [[UInt8]] {
            [segment(fromClient: checkerIsClient, flags: TCPFlags.reset | TCPFlags.ack, payload: [])]
        }

        private func segment(fromClient: Bool, flags: UInt8, payload: [UInt8]) -> [UInt8] {
            let (source, destination) = fromClient ? (client, server) : (server, client)
            let (sequence, acknowledgement) =
                fromClient ? (clientSequence, serverSequence) : (serverSequence, clientSequence)
            return IPPacket.tcp(
                from: source,
                to: destination,
                sequence: sequence,
                acknowledgement: flags & TCPFlags.ack != 0 ? acknowledgement : 0,
                flags: flags,
                payload: payload
            )
        }
    }
}

enum TCPFlags {
    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let reset: UInt8 = 0x04
    static let push: UInt8 = 0x08
    static let ack: UInt8 = 0x10
}

/// Raw IPv4 or IPv6 packets carrying one TCP segment, checksums included.
enum IPPacket {
    static func tcp(
        from source: SocketAddress,
        to destination: SocketAddress,
        sequence: UInt32,
        acknowledgement: UInt32,
        flags: UInt8,
        payload: [UInt8]
    ) -> [UInt8] {
        var tcp: [UInt8] = []
        tcp.append16(UInt16(source.port))
        tcp.append16(UInt16(destination.port))
        tcp.append32(sequence)
        tcp.append32(acknowledgement)
        tcp += [5 << 4, flags]  // a 20-byte header: no options
        tcp.append16(65535)  // window
        tcp += [0, 0, 0, 0]  // checksum (filled in below), urgent pointer
        tcp += payload
        let sourceIP = ipBytes(source)
        let destinationIP = ipBytes(destination)
        // The TCP checksum covers a pseudo-header of the addresses, the protocol and the length.
        var pseudo = sourceIP + destinationIP
        if sourceIP.count == 4 {
            pseudo += [0, 6]
            pseudo.append16(UInt16(tcp.count))
        } else {
            pseudo.append32(UInt32(tcp.count))
            pseudo += [0, 0, 0, 6]
        }
        let checksum = internetChecksum(pseudo + tcp)
        tcp[16] = UInt8(checksum >> 8)
        tcp[17] = UInt8(checksum & 0xFF)

        if sourceIP.count == 4 {
            var ip: [UInt8] = [0x45, 0]
            ip.append16(UInt16(20 + tcp.count))
            ip += [0, 0, 0x40, 0, 64, 6, 0, 0]  // id, don't fragment, TTL 64, TCP, checksum (below)
            ip += sourceIP + destinationIP
            let headerChecksum = internetChecksum(ip)
            ip[10] = UInt8(headerChecksum >> 8)
            ip[11] = UInt8(headerChecksum & 0xFF)
            return ip + tcp
        }
        var ip: [UInt8] = [0x60, 0, 0, 0]
        ip.append16(UInt16(tcp.count))
        ip += [6, 64]  // next header TCP, hop limit
        return ip + sourceIP + destinationIP + tcp
    }

    /// The address's bytes: 4 for IPv4, 16 for IPv6 (parsed from its printed form).
    static func ipBytes(_ address: SocketAddress) -> [UInt8] {
        var text = address.host
        if text.contains(":") {
            var bytes = [UInt8](repeating: 0, count: 16)
            if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
            _ = text.withCString { inet_pton(AF_INET6, $0, &bytes) }
            return bytes
        }
        var bytes = [UInt8](repeating: 0, count: 4)
        _ = text.withCString { inet_pton(AF_INET, $0, &bytes) }
        return bytes
    }

    static func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

/// A pcapng file: a section header, one raw-IP interface, and an enhanced packet block per packet (little-endian).
struct PcapngWriter {
    private(set) var bytes: [UInt8] = []

    init() {
        var section: [UInt8] = []
        section.appendLittle32(0x1A2B_3C4D)  // byte-order magic
        section.appendLittle16(1)  // version 1.0
        section.appendLittle16(0)
        section += [UInt8](repeating: 0xFF, count: 8)  // section length: not given
        block(type: 0x0A0D_0D0A, body: section)
        var interface: [UInt8] = []
        interface.appendLittle16(101)  // LINKTYPE_RAW: packets start with their IP header
        interface.appendLittle16(0)
        interface.appendLittle32(262_144)  // snap length
        block(type: 1, body: interface)
    }

    mutating func packet(_ data: [UInt8], at time: Date) {
        let microseconds = UInt64(max(0, time.timeIntervalSince1970 * 1_000_000))
        var body: [UInt8] = []
        body.appendLittle32(0)  // interface 0
        body.appendLittle32(UInt32(truncatingIfNeeded: microseconds >> 32))
        body.appendLittle32(UInt32(truncatingIfNeeded: microseconds))
        body.appendLittle32(UInt32(data.count))  // captured length
        body.appendLittle32(UInt32(data.count))  // original length
        body += data
        body += [UInt8](repeating: 0, count: (4 - data.count % 4) % 4)
        block(type: 6, body: body)
    }

    private mutating func block(type: UInt32, body: [UInt8]) {
        let length = UInt32(12 + body.count)
        bytes.appendLittle32(type)
        bytes.appendLittle32(length)
        bytes += body
        bytes.appendLittle32(length)
    }
}

extension [UInt8] {
    mutating func append16(_ value: UInt16) { append(contentsOf: [UInt8(value >> 8), UInt8(value & 0xFF)]) }
    mutating func append32(_ value: UInt32) {
        append(contentsOf: [
            UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF),
        ])
    }
    mutating func appendLittle16(_ value: UInt16) { append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8)]) }
    mutating func appendLittle32(_ value: UInt32) {
        append(contentsOf: [
            UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24),
        ])
    }
}
