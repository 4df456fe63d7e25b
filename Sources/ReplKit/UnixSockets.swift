import SocketKit

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

// `connect unix:PATH` and `listen unix:PATH`: the same conversation over a Unix domain socket, a file instead of a
// host and port. A listener removes a stale socket file before bind, and its own file when it closes (quit, Ctrl-D,
// Ctrl-C in a script, SIGTERM); a file that is not a socket, or one a live server still listens on, is never touched.

extension Session {
    func connect(unixPath path: String, name requested: String?) throws {
        let name = try newPeerName(requested, default: "c")
        let address = try unixAddress(path, for: "connect")
        let socket = try Socket(.unix, .stream)
        do {
            try establish(socket, to: address)
        } catch let error as SocketError {
            socket.close()
            throw ReplError(explainUnixConnectFailure(error, path: path))
        } catch {
            socket.close()
            throw error
        }
        let peer = Peer(name: name, role: .outgoing, socket: socket, address: "unix:" + path, framing: framing)
        peers.append(peer)
        current = peer
        console.show("\(name): connected to unix:\(path)", as: .output)
        recordConnected(peer, host: "")
    }

    private func explainUnixConnectFailure(_ error: SocketError, path: String) -> String {
        let target = "connect unix:\(path)"
        switch error.errno {
        case ENOENT:
            return
                "\(target): there is no such file — is the server running? It creates the file when it listens (a relative path starts in the folder labrepl was started in)"
        case ECONNREFUSED:
            return
                "\(target): the file is there but nothing listens on it — a stale file left by a server that stopped? Start the server again"
        case ENOTSOCK:
            return "\(target): that file is not a socket — check the path"
        case EACCES, EPERM:
            return "\(target): permission denied — a Unix socket's file permissions say who may connect"
        default:
            return "\(target): \(error)"
        }
    }

    func listen(unixPath path: String, name requested: String?) throws {
        let name = try newPeerName(requested, default: "l")
        let address = try unixAddress(path, for: "listen")
        let removedStale = try removeStaleSocketFile(path)
        let socket = try Socket(.unix, .stream)
        do {
            try socket.bind(address)
            try socket.listen()
            try socket.setBlocking(false)
        } catch let error as SocketError {
            socket.close()
            switch error.errno {
            case EADDRINUSE:
                throw ReplError(
                    "listen unix:\(path): the file appeared meanwhile — is another server starting there? Try again, or choose another path"
                )
            case EACCES, EPERM:
                throw ReplError(
                    "listen unix:\(path): cannot create the file there (permission denied) — choose a folder you can write to, such as /tmp"
                )
            case ENOENT:
                throw ReplError(
                    "listen unix:\(path): its folder does not exist — create it first, or choose another path"
                )
            default:
                throw ReplError("listen unix:\(path): \(error)")
            }
        }
        let peer = Peer(name: name, role: .listener, socket: socket, address: "unix:" + path, framing: framing)
        peer.socketFile = SocketFile(createdAt: path)
        peers.append(peer)
        if !(current?.isLiveConnection ?? false) { current = peer }
        let stale = removedStale ? " (removed a stale socket file first)" : ""
        console.show(
            "\(name): listening on unix:\(path)\(stale) (connections will be \(name).1, \(name).2, …; the file goes when \(name) closes)",
            as: .output
        )
        recordListening(peer)
    }

    private func unixAddress(_ path: String, for command: String) throws -> SocketAddress {
        do {
            return try SocketAddress(unixPath: path)
        } catch let error as SocketError {
            throw ReplError("\(command) unix:\(path): \(error.description) — a shorter path, such as /tmp/echo.sock")
        }
    }

    /// Before bind: a socket file that nothing listens on any more (its server stopped without removing it) goes.
    /// Returns whether there was one. A file that is not a socket, or a socket a server still answers on, stays.
    private func removeStaleSocketFile(_ path: String) throws -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ReplError(
                "listen unix:\(path): that file exists and is not a socket — labrepl leaves it alone; choose another path"
            )
        }
        let probe = try Socket(.unix, .stream)
        defer { probe.close() }
        do {
            try probe.connect(path)
            throw ReplError(
                "listen unix:\(path): a server is listening there already — stop it, or choose another path"
            )
        } catch let error as SocketError where error.errno == ECONNREFUSED {
            guard unlink(path) == 0 else {
                throw ReplError(
                    "listen unix:\(path): a stale socket file is there and cannot be removed (\(systemMessage(errno)))"
                )
            }
            return true
        } catch let error as SocketError {
            throw ReplError("listen unix:\(path): \(error)")
        }
    }
}

/// The file a Unix listener's bind created, and which file it is (device and inode): when the listener closes, the
/// file goes — unless someone has put another file at that path since.
struct SocketFile {
    let path: String
    let device: UInt64
    let inode: UInt64

    init?(createdAt path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        self.path = path
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
    }

    func remove() {
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(truncatingIfNeeded: info.st_dev) == device,
            UInt64(truncatingIfNeeded: info.st_ino) == inode
        else { return }
        unlink(path)
    }
}
