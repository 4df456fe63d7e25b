import ArgumentParser
import Lab5Given
import Lab5Protocol
import LabSupport

/// The lecture's router: clients log in under a name and send each other framed messages through it. One thread and
/// one selector serve every client (lab 4); each connection's receiving side is the DEVS model drawn in the handout.
/// Work through Labs/05-framed-protocol/README.md and check with `make check LAB=5`.
@main
struct Router: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab5-router",
        abstract: "Relays framed messages between named clients (lab 5's protocol)."
    )

    @OptionGroup var options: RouterOptions

    func run() throws {
        let model = try receiverModel(frameTimeout: options.settings.frameTimeout)
        if let format = options.diagram { return print(model.diagram(format), terminator: "") }
        if !options.simulate.isEmpty {
            let state = ReceiverState(reader: FrameReader(bodyLimit: options.maxBody))
            return try printSimulation(of: model, from: state, inputs: options.script(), until: options.simulationEnd)
        }
        let listener = try listeningSocket(at: options.endpoint.address)
        try EventLoop(listening: listener, model: model, settings: options.settings).run()
    }
}
