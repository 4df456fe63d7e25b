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
        let hong = Human(name: asker, age: askerAge)
        let kim = Human(name: answerer, age: answererAge)

        hong.askName()
        kim.answerName()
        hong.askAge()
        kim.answerAge()
    }
}
