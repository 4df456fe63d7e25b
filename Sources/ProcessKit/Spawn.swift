import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// A pipe's two descriptors, close-on-exec so that only the child it is meant for inherits one end.
struct DescriptorPipe {
    var readEnd: Int32 = -1
    var writeEnd: Int32 = -1

    init() throws(SpawnError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SpawnError(command: "pipe", errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        (readEnd, writeEnd) = (fds[0], fds[1])
    }

    mutating func closeReadEnd() {
        _ = close(readEnd)
        readEnd = -1
    }

    mutating func closeWriteEnd() {
        _ = close(writeEnd)
        writeEnd = -1
    }
}

extension ChildProcess {
    /// posix_spawn with the child's standard streams on the pipes, in a new process group, with default signal
    /// handling and an empty signal mask (a parent that ignores SIGPIPE must not pass that on).
    static func spawn(
        _ argv: [String],
        name: String,
        environment: [String],
        stdin: DescriptorPipe,
        stdout: DescriptorPipe,
        stderr: DescriptorPipe
    ) throws(SpawnError) -> pid_t {
        var (actions, attributes) = Platform.spawnObjects()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, stdin.readEnd, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout.writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr.writeEnd, 2)

        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        )

        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            for argument in cArguments { free(argument) }
            for variable in cEnvironment { free(variable) }
        }
        let result = posix_spawnp(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        guard result == 0 else { throw SpawnError(command: name, errno: result) }
        return pid
    }

    /// `argv` as started with its own limit on open descriptors: through `/bin/sh`, whose `ulimit` sets the limit
    /// before `exec` replaces the shell by the program (same pid, same process group, same signals).
    /// Why a shell: posix_spawn has no attribute for resource limits; fork is unsafe in a multi-threaded Swift
    /// process; Linux's prlimit(2) would race with the child's own start, and Darwin has none; and changing this
    /// process's limit around the spawn would change it for every other thread (and test) meanwhile. POSIX shells
    /// on Linux and macOS all have `ulimit -S -n` and `-H -n`; the detour costs one exec, about a millisecond.
    static func withOpenFileLimit(
        _ limit: OpenFileLimit?,
        _ argv: [String],
        name: String
    ) throws(SpawnError)
        -> [String]
    {
        guard let limit else { return argv }
        let hard = Platform.hardOpenFileLimit()
        guard limit.soft > 0, limit.soft <= limit.hard ?? hard, (limit.hard ?? hard) <= hard else {
            throw SpawnError(
                command: name,
                errno: EINVAL,
                detail: "`\(limit)` is not possible here (the hard limit on open descriptors, ulimit -Hn, is \(hard))"
            )
        }
        // The soft limit first: a hard limit below the soft one in force would be refused.
        let script =
            "ulimit -S -n \(limit.soft) || exit 126; "
            + (limit.hard.map { "ulimit -H -n \($0) || exit 126; " } ?? "") + "exec \"$0\" \"$@\""
        return ["/bin/sh", "-c", script] + argv
    }

    /// The children still running, for `stopAllOnInterrupt`.
    final class Registry: Sendable {
        private let pids = Mutex<Set<pid_t>>([])
        func add(_ pid: pid_t) { pids.withLock { _ = $0.insert(pid) } }
        func remove(_ pid: pid_t) { pids.withLock { _ = $0.remove(pid) } }
        var all: [pid_t] { pids.withLock { Array($0) } }
    }
}

// ChildProcess has methods named write and signal, which hide the C functions inside the class; these reach them.
func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, bytes, count) }
func systemRead(_ fd: Int32, _ bytes: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, bytes, count) }
func ignoreSignal(_ number: Int32) { _ = signal(number, SIG_IGN) }
