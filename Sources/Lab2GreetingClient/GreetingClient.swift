import ArgumentParser
import LabSupport
import SocketKit

/// The asking person of lab 1, across a TCP connection: it asks the server's name and age and prints the dialogue.
/// Work through Labs/02-networked-greeting/README.md and check with `make check LAB=2`.
@main
struct GreetingClient: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab2-greeting-client",
        abstract: "The asking person of the greeting, as a TCP client."
    )

    @OptionGroup var endpoint: EndpointOptions

    @Option(help: "The name of the person asking.")
    var name = "Hong, Gil Dong"

    @Flag(help: "Wait for Enter before each question.")
    var pause = false

    @Flag(help: "Send both questions at once, in one sendAll, to see what the server makes of it.")
    var together = false

    func run() throws {
        // TODO step 4: let s = try connect(), then print "<name>: Hi. What is your name?", ask "what is your name?",
        //   and print "<answerer>: <answer>" (answerer(from:) finds the name in the answer; if it has none, use the
        //   server's address, s.getPeerName()); then print "<name>: How old are you?", ask "How old are you?", and
        //   print the answer the same way.
        // TODO step 6: with --together, call askBothAtOnce(over:) instead, and stop there.
        throw NotImplemented("step 4 — connect and ask")
    }

    /// A connection to endpoint.host and endpoint.port, by name, as Python's socket.create_connection makes one: each
    /// address getaddrinfo gives for the host (::1 and 127.0.0.1 for localhost, on most machines) is tried in turn,
    /// with a socket of its own family, until one connects.
    func connect() throws -> Socket {
        // TODO step 7: by name: for each address SocketAddress.resolve(host:port:) gives, a Socket of that address's
        //   family and connect(address); return the first that connects, close the others; if none does, throw the
        //   last error. Until then: IPv4 only.
        if endpoint.host.contains(":") {
            throw NotImplemented("step 7 — connect() must try each address of \(endpoint.host), IPv6 ones too")
        }
        let s = try Socket(.inet, .stream)
        try s.connect(endpoint.address)
        return s
    }

    /// Sends one question and returns the answer exactly as received.
    func ask(_ question: String, over s: Socket) throws -> String {
        // TODO step 4: call pauseIfAsked(), sendAll the question, recv(1024) the answer; an empty answer means the
        //   server closed the connection: throw Failure("the server closed the connection without answering <question>").
        throw NotImplemented("step 4 — send a question, receive its answer")
    }

    /// "My name is Kim, Younghee." → "Kim, Younghee" (a final period is optional); nil for an answer that does not
    /// start with "My name is ".
    func answerer(from answer: String) -> String? {
        // TODO step 4: the rest of the answer after "My name is ", without a final period; nil if the answer does
        //   not start with "My name is ".
        nil
    }

    /// With --pause, the slide's input("Press enter to proceed"): each question waits for Enter.
    func pauseIfAsked() {
        // TODO step 5: with --pause, call pressEnterToProceed().
        if pause { notImplemented("step 5 — pauseIfAsked() must wait for Enter with --pause") }
    }

    /// Step 6's experiment: both questions in one sendAll.
    func askBothAtOnce(over s: Socket) throws {
        // TODO step 6: print "<name>: Hi. What is your name? How old are you? (both in one send)", sendAll
        //   "what is your name?How old are you?", then recv: if the server closed without answering, throw
        //   Failure("the server closed the connection without answering: …why…"); otherwise print what came back.
        throw NotImplemented("step 6 — both questions in one send")
    }
}
