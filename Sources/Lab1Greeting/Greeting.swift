import ArgumentParser
import LabSupport

/// The lecture's first example: two persons greet each other, one asking, one answering.
@main
struct Greeting: LabCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab1-greeting",
        abstract: "Two Humans greet each other, as on the lecture's slide."
    )

    @Option(help: "The name of the person who asks.")
    var asker = "Hong, Gil Dong"
    @Option(help: "Their age.")
    var askerAge = 20
    @Option(help: "The name of the person who answers.")
    var answerer = "Kim, Younghee"
    @Option(help: "Their age.")
    var answererAge = 22

    func run() {
        // TODO step 4: make the two Humans from the command line's options (asker, askerAge, answerer, answererAge),
        //   not from the handout's two people; then remove the notImplemented(…) line at the end.
        let hong = Human(name: "Hong, Gil Dong", age: 20)
        let kim = Human(name: "Kim, Younghee", age: 22)

        hong.askName()
        kim.answerName()
        hong.askAge()
        kim.answerAge()
        notImplemented("step 4 — Greeting.run() must make its Humans from the command line's names and ages")
    }
}
