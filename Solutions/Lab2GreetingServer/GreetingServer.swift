import ArgumentParser
import LabSupport
import SocketKit

/// The answering person of lab 1, across a TCP connection: it answers "what is your name?" and "How old are you?",
/// and ends the conversation on anything else. One client at a time, then the next.
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
        let s = try Socket(try family(of: endpoint.host), .stream)
        try s.setSockOpt(.reuseAddress, true)
        try s.bind(endpoint.address)
        try s.listen()
        print("listening on \(try s.getSockName())")

        while true {
            let (conn, addr) = try s.accept()
            print("Connected by \(addr)")
            do {
                try converse(over: conn, with: addr)
            } catch {
                print("Conversation with \(addr) failed: \(error)")
            }
            conn.close()
        }
    }

    /// Answers questions until the client closes or says something that is not one of the two questions.
    func converse(over conn: Socket, with addr: SocketAddress) throws {
        while try answerOne(over: conn, from: addr) {}
    }

    /// Receives one question and sends its answer. False once the conversation is over: the client has closed its
    /// side (recv returned nothing), or asked something that is not one of the two questions.
    func answerOne(over conn: Socket, from addr: SocketAddress) throws -> Bool {
        let data = try conn.recv(1024)
        if data.isEmpty {
            print("\(addr) closed the connection")
            return false
        }
        let question = String(decoding: data, as: UTF8.self)
        print("\(addr): \(question)")
        guard let answer = answer(to: question) else {
            print("\(name): (that is not a question I know: closing the connection)")
            return false
        }
        print("\(name): \(answer)")
        pauseIfAsked()
        try conn.sendAll(answer)
        return true
    }

    /// The protocol: these two questions, and nothing else. A trailing newline (from nc, say) is forgiven.
    func answer(to question: String) -> String? {
        var question = question
        while question.last?.isNewline == true { question.removeLast() }
        return switch question {
        case "what is your name?": "My name is \(name)."
        case "How old are you?": "I am \(age)."
        default: nil
        }
    }

    /// With --pause, the slide's input("Press enter to proceed"): the answer waits for Enter.
    func pauseIfAsked() {
        if pause { pressEnterToProceed() }
    }

    /// IPv4 or IPv6: the family of the first address getaddrinfo gives for `host` — .inet for 127.0.0.1, .inet6 for
    /// ::1 and for ::, every address of both families (an IPv4 client then shows up as ::ffff:127.0.0.1).
    func family(of host: String) throws -> Socket.Family {
        guard let family = try SocketAddress.resolve(host: host, port: endpoint.port).first?.family else {
            throw Failure("\(host) resolves to no address this server can listen on")
        }
        return family
    }
}
