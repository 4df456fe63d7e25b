#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// labrepl's entry point: interactive on a terminal, scripted otherwise.
public enum Repl {
    /// Runs a whole session and returns the exit status.
    /// - Parameters:
    ///   - script: a file of commands to run instead of reading standard input.
    ///   - portMap: ports to use instead of those the commands name (`connect`, `listen`, `tg connect`).
    public static func main(script: String?, portMap: [Int: Int] = [:]) -> Int32 {
        SignalPipe.install()
        if let script { return ScriptRunner.run(file: script, portMap: portMap) }
        if isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 { return LineEditor.run(portMap: portMap) }
        return ScriptRunner.runStandardInput(portMap: portMap)
    }
}
