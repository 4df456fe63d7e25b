import ArgumentParser

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// A lab program's command line: a `ParsableCommand` whose output reaches the reader line by line.
///
/// When standard output is a pipe (as when `make check` runs your program) the C library holds printed text back
/// until 4 KiB have piled up, so a "listening on …" line would reach the checker only when the program ends. A
/// `LabCommand` sends every line on at once, as a terminal would.
public protocol LabCommand: ParsableCommand {}

extension LabCommand {
    public static func main() {
        sendOutputLineByLine()
        main(nil)
    }
}

/// The async twin of `LabCommand`, for programs that `await` (the Telegram bot).
public protocol AsyncLabCommand: AsyncParsableCommand {}

extension AsyncLabCommand {
    public static func main() async {
        sendOutputLineByLine()
        await main(nil)
    }
}

func sendOutputLineByLine() {
    setvbuf(StandardStream.output.file, nil, _IOLBF, 0)
    setvbuf(StandardStream.error.file, nil, _IONBF, 0)
}
