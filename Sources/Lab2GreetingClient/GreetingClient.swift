import ArgumentParser
import LabSupport
import SocketKit

/// The asking person of lab 1, across a TCP connection: it asks the server's name and age and prints the dialogue.
/// Work through Labs/02-networked-greeting/README.md and check with `make check LAB=2`.
@main
struct GreetingClient: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab2-greeting-client", abstract: "The asking person of the greeting, as a TCP client.")

    @OptionGroup var endpoint: EndpointOptions

    @Option(help: "The name of the person asking.")
    var name = "Hong, Gil Dong"

    @Flag(help: "Wait for Enter before each question.")
    var pause = false

    @Flag(help: "Send both questions at once, in one sendAll, to see what the server makes of it.")
    var together = false

    func run() throws {
        // TODO step 4: connect to endpoint.address. With --together, call askBothAtOnce(over:) and stop there.
        //   Otherwise print "<name>: Hi. What is your name?", ask "what is your name?", print
        //   "<answerer>: <answer>"; then print "<name>: How old are you?", ask "How old are you?", print the answer.
        throw NotImplemented("step 4 — connect and ask")
    }

    /// Sends one question and returns the answer exactly as received.
    func ask(_ question: String, over s: Socket) throws -> String {
        // TODO step 4: with --pause, pressEnterToProceed() first. sendAll the question, recv(1024) the answer; an
        //   empty answer means the server closed the connection: throw an error that says so.
        throw NotImplemented("step 4 — send a question, receive its answer")
    }

    /// "My name is Kim, Younghee." → "Kim, Younghee" (a final period is optional).
    func answerer(from answer: String) -> String? {
        // TODO step 4: the name in the answer, or nil if the answer does not start with "My name is ".
        nil
    }

    /// Step 5's experiment: both questions in one sendAll.
    func askBothAtOnce(over s: Socket) throws {
        // TODO step 5: print what you are doing, sendAll "what is your name?How old are you?", then recv: if the
        //   server closed without answering, throw an error that says "without answering" and why.
        throw NotImplemented("step 5 — both questions in one send")
    }
}
