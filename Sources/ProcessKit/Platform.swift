// Every difference between Linux and Darwin in ProcessKit, side by side: what a running process is doing (Linux reads
// /proc, Darwin asks libproc), the hard limit on open descriptors, and posix_spawn's option objects.
#if canImport(Glibc)
@preconcurrency import Glibc
import Foundation

enum Platform {
    /// posix_spawn's option objects: structs on Glibc, which `…_init` fills in.
    static func spawnObjects() -> (posix_spawn_file_actions_t, posix_spawnattr_t) { (.init(), .init()) }

    /// RLIMIT_NOFILE's hard limit (`ulimit -Hn`).
    static func hardOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return Int(clamping: limit.rlim_max)
    }

    /// From /proc: the process's CPU time (its stat, which also counts threads that have ended), and each live
    /// thread's state and context switches (/proc/PID/task/TID/stat and status). Nil once the process is gone or a
    /// zombie.
    static func activity(of pid: pid_t) -> ProcessActivity? {
        guard let process = statFields("/proc/\(pid)/stat"), !["Z", "X"].contains(process[0]),
            let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        // After the command's name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        let ticks = (Int(process[11]) ?? 0) + (Int(process[12]) ?? 0)
        var running = false
        var switches = 0
        for thread in threads {
            guard let stat = statFields("/proc/\(pid)/task/\(thread)/stat"),
                let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8)
            else { continue }  // a thread that ended meanwhile
            if stat[0] == "R" { running = true }
            for line in status.split(separator: "\n") where line.contains("ctxt_switches:") {
                switches += Int(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        return ProcessActivity(
            cpuTime: .nanoseconds(Int64(Double(ticks) / ticksPerSecond * 1e9)),
            isWaiting: !running,
            switches: switches
        )
    }

    /// The fields of a /proc stat file after the command's name (which may hold spaces and parentheses).
    private static func statFields(_ path: String) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8), let close = stat.lastIndex(of: ")"),
            case let fields = stat[stat.index(after: close)...].split(separator: " "), fields.count > 12
        else { return nil }
        return fields
    }
}

#elseif canImport(Darwin)
@preconcurrency import Darwin

enum Platform {
    /// posix_spawn's option objects: pointers on Darwin, nil until `…_init` makes them.
    static func spawnObjects() -> (posix_spawn_file_actions_t?, posix_spawnattr_t?) { (nil, nil) }

    /// RLIMIT_NOFILE's hard limit, as far as macOS lets a soft limit go (it reports "unlimited", refuses > OPEN_MAX).
    static func hardOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE, &limit) == 0 else { return 0 }
        return Int(clamping: min(limit.rlim_max, rlim_t(OPEN_MAX)))
    }

    /// From libproc's task info: CPU time in Mach time units (nanoseconds on Intel, not on Apple silicon: converted
    /// with the timebase), the number of threads running, and context switches.
    static func activity(of pid: pid_t) -> ProcessActivity? {
        var info = proc_taskinfo()
        let size = Int32(MemoryLayout<proc_taskinfo>.size)
        guard proc_pidinfo(pid, PROC_PIDTASKINFO, 0, &info, size) == size else { return nil }
        var timebase = mach_timebase_info_data_t()
        mach_timebase_info(&timebase)
        let machTime = Double(info.pti_total_user + info.pti_total_system)
        return ProcessActivity(
            cpuTime: .nanoseconds(Int64(machTime * Double(timebase.numer) / Double(timebase.denom))),
            isWaiting: info.pti_numrunning == 0,
            switches: Int(info.pti_csw)
        )
    }
}
#endif
