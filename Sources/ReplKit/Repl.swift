#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// labrepl's entry point: interactive on a terminal, scripted otherwise.
public enum Repl {
    /// Runs a whole session and returns the exit status.
    /// - Parameter script: a file of commands to run instead of reading standard input.
    public static func main(script: String?) -> Int32 {
        SignalPipe.install()
        if let script { return ScriptRunner.run(file: script) }
        if isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 { return LineEditor.run() }
        return ScriptRunner.runStandardInput()
    }
}
