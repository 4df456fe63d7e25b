// The one file in DoctorKit that knows how Linux and macOS differ: where libedit comes from, how a tool is
// installed, and how to ask what kind of disk a folder is on. (Foundation-free, so that .ci/darwin-typecheck can
// check it against a macOS SDK.)

#if canImport(Glibc)
@preconcurrency import Glibc
import CSystemShims  // statfs
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

enum Platform {
    #if os(Linux)
    static let name = "Linux"
    /// libedit's headers are a package of their own (libedit-dev), found with pkg-config as make and SwiftPM do.
    static let libedit = LibeditSource.pkgConfig
    #elseif canImport(Darwin)
    static let name = "macOS"
    /// macOS has libedit in its SDK, which the Command Line Tools (or Xcode) install.
    static let libedit = LibeditSource.sdk
    #endif

    /// What kind of disk the folder at `path` is on, or nil if the system will not say.
    static func fileSystem(at path: String) -> FileSystem? {
        var info = statfs()
        guard statfs(path, &info) == 0 else { return nil }
        #if canImport(Glibc)
        let magic = UInt32(truncatingIfNeeded: info.f_type)
        return FileSystem(type: sharedFileSystems[magic] ?? "local", isLocal: sharedFileSystems[magic] == nil)
        #elseif canImport(Darwin)
        let type = withUnsafeBytes(of: info.f_fstypename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return FileSystem(type: type, isLocal: info.f_flags & UInt32(MNT_LOCAL) != 0)
        #endif
    }

    /// Linux's magic numbers (statfs(2)) of the file systems that live elsewhere: on a server, on the machine
    /// outside a VM or WSL, or behind FUSE (sshfs, cloud drives, Docker Desktop's shared folders).
    private static let sharedFileSystems: [UInt32: String] = [
        0x6969: "nfs", 0x517B: "smb", 0xFF53_4D42: "cifs", 0xFE53_4D42: "smb2", 0x0102_1997: "9p",
        0x6573_5546: "fuse", 0x6A65_6A63: "virtiofs", 0x786F_4256: "vboxsf", 0x7C7C_6673: "prl_fs",
        0x5346_414F: "afs", 0x00C3_6400: "ceph",
    ]
}

enum LibeditSource {
    case pkgConfig
    case sdk
}

struct FileSystem: Equatable {
    /// "local", or the shared kind: "nfs", "9p", "smbfs", …
    let type: String
    let isLocal: Bool
}

/// Whether the folder is on this machine's own disk, where the system reports changes to files (watch mode) and
/// builds are fast; true when the system will not say.
public func isOnLocalDisk(_ path: String) -> Bool {
    Platform.fileSystem(at: path)?.isLocal ?? true
}

/// Free space for the build, in bytes, on the disk that holds `path` (nil if the system will not say).
func freeBytes(at path: String) -> UInt64? {
    var info = statvfs()
    guard statvfs(path, &info) == 0 else { return nil }
    return UInt64(info.f_bavail) * UInt64(info.f_frsize)
}
