import ArgumentParser
import Lab5Given
import Lab5Protocol
import LabSupport

/// A client of the lab 5 router: a chat by default, or one of the two persons of the lecture's greeting — the
/// asking one a DEVS model that never waits for ever, the answering one replying to its two questions.
/// Work through Labs/05-framed-protocol/README.md and check with `make check LAB=5`.
@main
struct Client: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab5-client",
        abstract: "Chat through the lab 5 router, or play one person of the greeting."
    )

    @OptionGroup var options: ClientOptions

    func run() throws {
        if let format = options.diagram {
            return print(try greeterModel(wait: options.waitTime).diagram(format), terminator: "")
        }
        if !options.simulate.isEmpty {
            return try printSimulation(
                of: greeterModel(wait: options.waitTime),
                from: GreeterState(),
                inputs: options.script(),
                until: options.simulationEnd
            )
        }

        let me = try options.loginName()
        let router = try RouterConnection(connectingTo: options.endpoint.address)
        try router.logIn(as: me)
        print("logged in as \(me)")

        if let other = options.ask {
            try ask(other, over: router, as: me, wait: options.waitTime, trace: options.trace)
        } else if options.answer {
            try answer(over: router, as: me, age: options.age)
        } else {
            try chat(over: router)
        }
    }
}
