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
        // TODO step 4: connect to endpoint.address. Print "<name>: Hi. What is your name?", ask "what is your name?",
        //   print "<answerer>: <answer>" (the answerer's name comes from the answer; if it has none, use the server's
        //   address); then print "<name>: How old are you?", ask "How old are you?", print the answer the same way.
        // TODO step 6: with --together, call askBothAtOnce(over:) instead, and stop there.
        throw NotImplemented("step 4 — connect and ask")
    }

    /// Sends one question and returns the answer exactly as received.
    func ask(_ question: String, over s: Socket) throws -> String {
        // TODO step 4: sendAll the question, recv(1024) the answer; an empty answer means the server closed the
        //   connection: throw Failure("the server closed the connection without answering <question>").
        // TODO step 5: with --pause, pressEnterToProceed() before sending.
        throw NotImplemented("step 4 — send a question, receive its answer")
    }

    /// "My name is Kim, Younghee." → "Kim, Younghee" (a final period is optional).
    func answerer(from answer: String) -> String? {
        // TODO step 4: the name in the answer, or nil if the answer does not start with "My name is ".
        nil
    }

    /// Step 6's experiment: both questions in one sendAll.
    func askBothAtOnce(over s: Socket) throws {
        // TODO step 6: print "<name>: Hi. What is your name? How old are you? (both in one send)", sendAll
        //   "what is your name?How old are you?", then recv: if the server closed without answering, throw
        //   Failure("the server closed the connection without answering: …why…"); otherwise print what came back.
        throw NotImplemented("step 6 — both questions in one send")
    }
}
