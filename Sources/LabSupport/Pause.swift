#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The lecture's `input("Press enter to proceed")`: prints the prompt and waits for a line on standard input, so
/// that you can watch the other side block meanwhile. At end of input it goes on without waiting.
public func pressEnterToProceed(_ prompt: String = "Press enter to proceed") {
    print(prompt)
    _ = readLine()
}
