import Foundation
import ProcessKit
import Synchronization

/// The programs `labdev mutants` starts (builds and checks), kept so that Ctrl-C, or CI stopping the job, stops them
/// cleanly: each gets SIGTERM first, so that a check stops the lab programs it started itself before it ends.
enum Children {
    struct Finished: Sendable {
        let termination: Termination
        let standardOutput: String
        let standardError: String
    }

    private static let running = Mutex<[pid_t: ChildProcess]>([:])

    /// Runs a program to its end, or stops it once `timeout` has passed; in `directory`, when given.
    static func run(
        _ executable: String,
        _ arguments: [String],
        directory: URL? = nil,
        environment: [String: String] = [:],
        timeout: Duration
    ) throws(SpawnError) -> Finished {
        // ChildProcess starts its programs in this process's folder: a shell changes folder first.
        let (executable, arguments) =
            directory.map {
                ("/bin/sh", ["-c", #"cd "$0" && exec "$@""#, $0.path, executable] + arguments)
            } ?? (executable, arguments)
        let child = try ChildProcess(executable, arguments, environment: environment, timeLimit: timeout + .seconds(10))
        running.withLock { $0[child.pid] = child }
        defer { running.withLock { $0[child.pid] = nil } }
        child.closeInput()
        let status = child.waitForExit(timeout: timeout) ?? child.stop(grace: .seconds(3))
        return Finished(termination: status, standardOutput: child.standardOutput, standardError: child.standardError)
    }

    /// On SIGINT, SIGTERM or SIGHUP: asks every child to stop, gives them three seconds, then kills what is left
    /// and exits with the usual status (130 for Ctrl-C).
    static func stopAllOnInterrupt() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                _ = source  // the handler keeps its source alive for the life of the process
                let children = running.withLock { Array($0.values) }
                for child in children { child.signal(SIGTERM) }
                for child in children { child.stop(grace: .seconds(3)) }
                exit(128 + number)
            }
            source.resume()
        }
    }
}
