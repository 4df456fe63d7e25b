import DoctorKit
import Foundation

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Tells when a file under some folders changes: by inotify where it works (Linux, on a local disk), else by looking
/// at every file's size and time twice a second — in containers, on network and synced folders, and on macOS.
/// Folders are watched, not files: editors save by writing a new file and renaming it over the old one.
public final class FileWatcher {
    public enum Method: String, Sendable {
        case inotify
        case polling
    }

    public let folders: [String]
    public let method: Method
    private var snapshot: [String: FileStamp]
    /// inotify's descriptor, or -1 when polling.
    private var inotify: Int32 = -1

    /// Watches `folders` (and their subfolders). `method` nil: inotify when the folders allow it.
    public init(folders: [String], method: Method? = nil) {
        self.folders = folders
        snapshot = Self.stamps(of: folders)
        let wanted = method ?? (folders.allSatisfy(Inotify.isLocal) ? .inotify : .polling)
        if wanted == .inotify, let descriptor = Inotify.start(on: folders) {
            inotify = descriptor
            self.method = .inotify
        } else {
            self.method = .polling
        }
    }

    deinit {
        if inotify >= 0 { close(inotify) }
    }

    /// A descriptor that becomes readable when something changed (inotify), or nil when changes must be polled
    /// with `changed()`.
    public var descriptor: Int32? { inotify >= 0 ? inotify : nil }

    /// The files that changed since the last call: added, removed, or with a new size or time. Cheap enough to call
    /// twice a second; with inotify, call it when `descriptor` is readable (the events are drained here).
    public func changed() -> [String] {
        if inotify >= 0 { Inotify.drain(inotify) }
        let now = Self.stamps(of: folders)
        let changed = Set(now.keys).union(snapshot.keys).filter { now[$0] != snapshot[$0] }.sorted()
        snapshot = now
        return changed
    }

    // MARK: Looking at the files

    struct FileStamp: Equatable {
        let size: Int
        let modified: Date
    }

    private static func stamps(of folders: [String]) -> [String: FileStamp] {
        var stamps: [String: FileStamp] = [:]
        let manager = FileManager.default
        for folder in folders {
            guard let walker = manager.enumerator(atPath: folder) else { continue }
            for case let relative as String in walker where !relative.hasPrefix(".") && !relative.contains("/.") {
                let path = folder + "/" + relative
                guard let attributes = try? manager.attributesOfItem(atPath: path),
                    attributes[.type] as? FileAttributeType == .typeRegular
                else { continue }
                stamps[path] = FileStamp(
                    size: (attributes[.size] as? Int) ?? 0,
                    modified: (attributes[.modificationDate] as? Date) ?? .distantPast
                )
            }
        }
        return stamps
    }
}

// Every platform difference of the checker, in one place: inotify is Linux's. (macOS's FSEvents needs a run loop the
// checker does not have: there the watcher polls.)
#if canImport(Glibc)
/// inotify, and whether a folder's file system lets it see changes.
enum Inotify {
    /// inotify sees only changes made through this machine's own kernel: not on network, shared or synced folders.
    static func isLocal(_ folder: String) -> Bool { isOnLocalDisk(folder) }

    static func start(on folders: [String]) -> Int32? {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else { return nil }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY)
        var watched = 0
        for folder in folders {
            for directory in [folder] + subfolders(of: folder) where inotify_add_watch(descriptor, directory, mask) >= 0
            {
                watched += 1
            }
        }
        if watched == 0 {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    private static func subfolders(of folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        return walker.compactMap { $0 as? String }.map { folder + "/" + $0 }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    static func drain(_ descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }
}
#else
enum Inotify {
    static func isLocal(_ folder: String) -> Bool { false }
    static func start(on folders: [String]) -> Int32? { nil }
    static func drain(_ descriptor: Int32) {}
}
#endif
