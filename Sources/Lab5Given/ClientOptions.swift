import ArgumentParser
import DEVSKit
import FrameTypes
import LabSupport

/// The client's command line: a chat by default (`--name Kim`), or one person of the greeting (`--ask`, `--answer`),
/// or the asking person's model in virtual time (`--simulate`).
public struct ClientOptions: ParsableArguments {
    @OptionGroup public var endpoint: EndpointOptions

    @Option(
        help:
            "The name to log in under (1–32 bytes of UTF-8). Default: Hong, Gil Dong when asking, Kim, Younghee when answering."
    )
    public var name: String?

    @Option(help: "Ask this person their name and age: the greeting's asking person.")
    public var ask: String?

    @Flag(help: "Answer the greeting's two questions: the answering person.")
    public var answer = false

    @Option(help: "The age the answering person gives.")
    public var age = 22

    @Option(help: "Seconds the asking person waits for each answer before giving up.")
    public var wait = 5.0

    @Option(
        help:
            "Run the asking person's model in virtual time instead: this answer arrives at SECONDS (e.g. 1.5:I am 22.). Repeat for more; prints the model's trace."
    )
    public var simulate: [String] = []

    @Flag(help: "Print each transition of the asking person's model as it happens.")
    public var trace = false

    @Option(help: "Print the asking person's model as a diagram (mermaid or dot) and exit.")
    public var diagram: DiagramFormat?

    public init() {}

    public func validate() throws {
        guard wait > 0, wait.isFinite else { throw ValidationError("--wait must be a positive number of seconds") }
        guard ask == nil || !answer else { throw ValidationError("--ask and --answer are the two persons: choose one") }
        _ = try script()
        if let name { do { try Message.validateName(name) } catch { throw ValidationError("--name: \(error)") } }
    }

    /// How long the asking person waits for each answer.
    public var waitTime: Duration { .seconds(wait) }

    /// The name to log in under.
    public func loginName() throws -> String {
        let me = name ?? (ask != nil ? "Hong, Gil Dong" : answer ? "Kim, Younghee" : "")
        guard !me.isEmpty else { throw ValidationError("a chat needs a --name to log in under") }
        return me
    }

    /// `--simulate 1:Kim --simulate 2.5:I am 22.` as timed answers, in time order.
    public func script() throws -> [Timed<GreeterInput>] {
        try timedScript(simulate, example: "ANSWER, such as 1.5:My name is Kim.") { .answer($0) }
    }

    /// Until when `--simulate` runs the model: long enough after the last answer for every deadline to show.
    public var simulationEnd: Duration {
        ((try? script())?.last?.time ?? .zero) + waitTime * 3
    }
}
