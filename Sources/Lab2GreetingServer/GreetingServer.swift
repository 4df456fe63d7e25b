import ArgumentParser
import LabSupport
import SocketKit

/// The answering person of lab 1, across a TCP connection: it answers "what is your name?" and "How old are you?",
/// and ends the conversation on anything else. One client at a time, then the next.
/// Work through Labs/02-networked-greeting/README.md and check with `make check LAB=2`.
@main
struct GreetingServer: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab2-greeting-server", abstract: "The answering person of the greeting, as a TCP server.")

    @OptionGroup var endpoint: EndpointOptions

    @Option(help: "The name this person answers with.")
    var name = "Kim, Younghee"

    @Option(help: "The age this person answers with.")
    var age = 22

    @Flag(help: "Wait for Enter before each answer.")
    var pause = false

    func run() throws {
        // TODO step 1: create a TCP socket, bind it to endpoint.address, listen, print "listening on ADDRESS" (the
        //   address getSockName() returns), then accept clients in a loop: print "Connected by ADDR", call
        //   converse(over:with:), close the connection.
        throw NotImplemented("step 1 — socket, bind, listen, accept")
    }

    /// Answers questions until the client closes or says something that is not one of the two questions.
    func converse(over conn: Socket, with addr: SocketAddress) throws {
        // TODO step 2: recv(1024) a question and print it as received, "ADDR: <question>"; find its answer with
        //   answer(to:), print "<name>: <answer>" and sendAll the answer.
        // TODO step 3: repeat until recv returns nothing (the client closed) or answer(to:) returns nil.
        // TODO step 5: with --pause, pressEnterToProceed() before sending each answer.
        throw NotImplemented("step 2 — receive a question and send its answer")
    }

    /// The protocol: "what is your name?" → "My name is <name>.", "How old are you?" → "I am <age>.", else nil.
    func answer(to question: String) -> String? {
        // TODO step 2: the answer to "what is your name?".  TODO step 3: the answer to "How old are you?".
        nil
    }
}
