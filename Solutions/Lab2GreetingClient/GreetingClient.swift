import ArgumentParser
import LabSupport
import SocketKit

/// The asking person of lab 1, across a TCP connection: it asks the server's name and age and prints the dialogue.
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
        let s = try connect()
        defer { s.close() }

        if together { return try askBothAtOnce(over: s) }

        print("\(name): Hi. What is your name?")
        let nameAnswer = try ask("what is your name?", over: s)
        // The answer's own words name the other person: "My name is Kim, Younghee." gives "Kim, Younghee".
        let other = try answerer(from: nameAnswer) ?? s.getPeerName().description
        print("\(other): \(nameAnswer)")

        print("\(name): How old are you?")
        let ageAnswer = try ask("How old are you?", over: s)
        print("\(other): \(ageAnswer)")
    }

    /// A connection to endpoint.host and endpoint.port, by name, as Python's socket.create_connection makes one: each
    /// address getaddrinfo gives for the host (::1 and 127.0.0.1 for localhost, on most machines) is tried in turn,
    /// with a socket of its own family, until one connects.
    func connect() throws -> Socket {
        var lastError: any Error = Failure("\(endpoint.host) resolves to no address")
        for address in try SocketAddress.resolve(host: endpoint.host, port: endpoint.port) {
            guard let family = address.family else { continue }
            let s = try Socket(family, .stream)
            do {
                try s.connect(address)
                return s
            } catch {
                s.close()
                lastError = error
            }
        }
        throw lastError
    }

    /// Sends one question and returns the answer exactly as received.
    func ask(_ question: String, over s: Socket) throws -> String {
        pauseIfAsked()
        try s.sendAll(question)
        let answer = try s.recv(1024)
        if answer.isEmpty { throw Failure("the server closed the connection without answering \(question)") }
        return String(decoding: answer, as: UTF8.self)
    }

    /// "My name is Kim, Younghee." → "Kim, Younghee" (a final period is optional); nil for an answer that does not
    /// start with "My name is ".
    func answerer(from answer: String) -> String? {
        let prefix = "My name is "
        guard answer.hasPrefix(prefix) else { return nil }
        var rest = answer.dropFirst(prefix.count)
        while let last = rest.last, last == "." || last.isNewline { rest = rest.dropLast() }
        return rest.isEmpty ? nil : String(rest)
    }

    /// With --pause, the slide's input("Press enter to proceed"): each question waits for Enter.
    func pauseIfAsked() {
        if pause { pressEnterToProceed() }
    }

    /// The experiment of step 6: two messages in one send arrive in one recv, and the server sees one message it
    /// does not know. TCP keeps the bytes in order but not where one message ends: that takes a protocol (lab 5).
    func askBothAtOnce(over s: Socket) throws {
        print("\(name): Hi. What is your name? How old are you? (both in one send)")
        try s.sendAll("what is your name?How old are you?")
        let reply = try s.recv(1024)
        if reply.isEmpty {
            throw Failure(
                "the server closed the connection without answering: both questions arrived in one recv(), as one message it does not know"
            )
        }
        print("Received \(repr(reply))")
    }
}
