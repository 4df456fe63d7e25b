import ArgumentParser
import LabSupport
import SocketKit

/// The answering person of lab 1, across a TCP connection: it answers "what is your name?" and "How old are you?",
/// and ends the conversation on anything else. One client at a time, then the next.
/// Work through Labs/02-networked-greeting/README.md and check with `make check LAB=2`.
@main
struct GreetingServer: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab2-greeting-server",
        abstract: "The answering person of the greeting, as a TCP server."
    )

    @OptionGroup var endpoint: EndpointOptions

    @Option(help: "The name this person answers with.")
    var name = "Kim, Younghee"

    @Option(help: "The age this person answers with.")
    var age = 22

    @Flag(help: "Wait for Enter before each answer.")
    var pause = false

    func run() throws {
        // TODO step 1: create a TCP socket of the family family(of: endpoint.host) gives, bind it to endpoint.address,
        //   listen, print "listening on ADDRESS" (the address getSockName() returns), then accept clients in a loop:
        //   print "Connected by ADDR", call converse(over:with:), close the connection.
        throw NotImplemented("step 1 — socket, bind, listen, accept")
    }

    /// Answers questions until the client closes or says something that is not one of the two questions.
    func converse(over conn: Socket, with addr: SocketAddress) throws {
        // TODO step 3: call answerOne(over:from:) again and again, until it returns false — not just once.
        _ = try answerOne(over: conn, from: addr)
        notImplemented("step 3 — converse(over:with:) answers only one question, then the connection is closed")
    }

    /// Receives one question and sends its answer. False once the conversation is over: the client has closed its
    /// side (recv returned nothing), or asked something that is not one of the two questions.
    func answerOne(over conn: Socket, from addr: SocketAddress) throws -> Bool {
        // TODO step 2: recv(1024) a question and print it as received, "ADDR: <question>"; find its answer with
        //   answer(to:), print "<name>: <answer>", call pauseIfAsked(), sendAll the answer, and return true.
        // TODO step 3: return false when recv returns nothing (the client closed) or answer(to:) returns nil.
        throw NotImplemented("step 2 — receive a question and send its answer")
    }

    /// The protocol: "what is your name?" → "My name is <name>.", "How old are you?" → "I am <age>.", else nil.
    func answer(to question: String) -> String? {
        // TODO step 2: the answer to "what is your name?".  TODO step 3: the answer to "How old are you?".
        nil
    }

    /// With --pause, the slide's input("Press enter to proceed"): the answer waits for Enter.
    func pauseIfAsked() {
        // TODO step 5: with --pause, call pressEnterToProceed().
        if pause { notImplemented("step 5 — pauseIfAsked() must wait for Enter with --pause") }
    }

    /// IPv4 or IPv6: the family of the first address getaddrinfo gives for `host` — .inet for 127.0.0.1, .inet6 for
    /// ::1 and for ::, every address of both families (an IPv4 client then shows up as ::ffff:127.0.0.1).
    func family(of host: String) throws -> Socket.Family {
        // TODO step 7: resolve host with SocketAddress.resolve(host:port:) (getaddrinfo) and return the family of the
        //   first address it gives. Until then: IPv4, which cannot listen on ::1.
        if host.contains(":") { throw NotImplemented("step 7 — family(of:) must resolve \(host), an IPv6 address") }
        return .inet
    }
}
