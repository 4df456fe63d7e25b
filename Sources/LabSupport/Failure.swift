/// An error a lab program reports and stops on: `throw Failure("the server closed the connection")` ends the
/// program with `Error: the server closed the connection` and exit status 1. (ArgumentParser's ValidationError is
/// for bad command-line arguments: it also prints the usage, which would only confuse here.)
public struct Failure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
