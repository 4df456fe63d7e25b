import Foundation
import SocketKit
import Synchronization

/// A listening socket on a free loopback port and a client connected to it, with the server side accepted.
func connectedPair(_ host: String = "127.0.0.1") throws -> (server: Socket, client: Socket, listener: Socket) {
    let listener = try Socket.createServer((host, 0))
    let client = try Socket.createConnection((host, listener.getSockName().port), timeout: 5)
    try listener.setTimeout(5)
    let (server, _) = try listener.accept()
    try server.setTimeout(5)
    return (server, client, listener)
}

/// Reads until end of file.
func readAll(_ socket: Socket) throws -> [UInt8] {
    var bytes: [UInt8] = []
    while true {
        let chunk = try socket.recv(65536)
        if chunk.isEmpty { return bytes }
        bytes += chunk
    }
}

/// Bytes that are not all alike, so that a reordering or a lost chunk shows.
func patterned(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
}

/// A port nobody listens on: bound, then released.
func closedPort() throws -> Int {
    let socket = try Socket.createServer(("127.0.0.1", 0))
    defer { socket.close() }
    return try socket.getSockName().port
}

/// Runs `body` on a thread of its own; the returned function waits for its result.
func inBackground<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> () throws -> T {
    let outcome = Outcome<T>()
    Thread {
        outcome.result.withLock { $0 = Result(catching: body) }
        outcome.done.signal()
    }.start()
    return {
        outcome.done.wait()
        return try outcome.result.withLock { $0! }.get()
    }
}

private final class Outcome<T: Sendable>: Sendable {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
}
