import ArgumentParser
import DEVSKit
import FrameKit
import Lab5Protocol
import LabSupport

/// A client of the lab 5 router: a chat by default, or one of the two persons of the lecture's greeting — the
/// asking one a DEVS model that never waits for ever, the answering one replying to its two questions. Work through
/// Labs/05-framed-protocol/README.md and check with `make check LAB=5`.
@main
struct Client: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab5-client", abstract: "Chat through the lab 5 router, or play one person of the greeting.")

    @OptionGroup var endpoint: EndpointOptions

    @Option(help: "The name to log in under (1–32 bytes of UTF-8). Default: Hong, Gil Dong when asking, Kim, Younghee when answering.")
    var name: String?

    @Option(help: "Ask this person their name and age: the greeting's asking person.")
    var ask: String?

    @Flag(help: "Answer the greeting's two questions: the answering person.")
    var answer = false

    @Option(help: "The age the answering person gives.")
    var age = 22

    @Option(help: "Seconds the asking person waits for each answer before giving up.")
    var wait = 5.0

    @Option(help: "Run the asking person's model in virtual time instead: this answer arrives at SECONDS (e.g. 1.5:I am 22.). Repeat for more; prints the model's trace.")
    var simulate: [String] = []

    @Flag(help: "Print each transition of the asking person's model as it happens.")
    var trace = false

    @Option(help: "Print the asking person's model as a diagram (mermaid or dot) and exit.")
    var diagram: DiagramFormat?

    func validate() throws {
        guard wait > 0, wait.isFinite else { throw ValidationError("--wait must be a positive number of seconds") }
        guard ask == nil || !answer else { throw ValidationError("--ask and --answer are the two persons: choose one") }
        _ = try script()
        if let name { do { try Message.validateName(name) } catch { throw ValidationError("--name: \(error)") } }
    }

    func run() throws {
        if let diagram { return print(try greeterModel(wait: .seconds(wait)).diagram(diagram), terminator: "") }
        if !simulate.isEmpty { return try Lab5Client.simulate(try script(), wait: .seconds(wait)) }

        let me = name ?? (ask != nil ? "Hong, Gil Dong" : answer ? "Kim, Younghee" : "")
        guard !me.isEmpty else { throw ValidationError("a chat needs a --name to log in under") }
        let router = try RouterConnection(connectingTo: endpoint.address)
        try router.logIn(as: me)
        print("logged in as \(me)")

        if let ask {
            try Lab5Client.ask(ask, over: router, as: me, wait: .seconds(wait), trace: trace)
        } else if answer {
            try Lab5Client.answer(over: router, as: me, age: age)
        } else {
            try chat(over: router)
        }
    }

    /// `--simulate 1:Kim --simulate 2.5:I am 22.` as timed answers, in time order.
    func script() throws -> [Timed<GreeterInput>] {
        var inputs: [Timed<GreeterInput>] = []
        for item in simulate {
            guard let colon = item.firstIndex(of: ":"), let time = Double(item[..<colon]), time >= 0, time.isFinite else {
                throw ValidationError("--simulate \(item): expected SECONDS:ANSWER, such as 1.5:My name is Kim.")
            }
            let at = Duration.seconds(time)
            if let last = inputs.last, at < last.time { throw ValidationError("--simulate: the answers must be in time order") }
            inputs.append(Timed(at, .answer(String(item[item.index(after: colon)...]))))
        }
        return inputs
    }
}

extension DiagramFormat: ExpressibleByArgument {}
