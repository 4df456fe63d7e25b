import Dispatch

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Calls a handler on SIGINT (Ctrl-C) or SIGTERM instead of letting the process die, so that a
/// bot can stop gracefully. `cancel()` gives the signals their default action back.
public final class SignalStop: @unchecked Sendable {
    // Only touched in init and cancel(); DispatchSource is thread-safe.
    private var sources: [any DispatchSourceSignal] = []
    private let signals: [Int32]

    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
    }

    public func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for number in signals { signal(number, SIG_DFL) }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
