import Foundation

// The waits of ChildProcess for async code. They block a thread of their own rather than one of the few threads
// Swift's concurrency runtime shares among all tasks: blocking those could starve the very server (say, an
// in-process HTTP sandbox) the child is talking to.
extension ChildProcess {
    public func waitForLine(timeout: Duration, where predicate: @escaping @Sendable (String) -> Bool) async -> String? {
        await onOwnThread { self.waitForLine(timeout: timeout, where: predicate) }
    }

    public func waitForExit(timeout: Duration) async -> Termination? {
        await onOwnThread { self.waitForExit(timeout: timeout) }
    }

    public static func run(
        _ executable: String,
        _ arguments: [String] = [],
        input: String? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) async throws -> Finished {
        try await onOwnThread {
            try ChildProcess.run(executable, arguments, input: input, environment: environment, timeout: timeout)
        }.get()
    }
}

private func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

private func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
    await onOwnThread { Result(catching: body) }
}
