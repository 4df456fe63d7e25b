import DEVSKit
import Lab5Given
import LabSupport

// The asking person of the greeting, as a DEVS atomic model: the diagram in the handout is drawn from
// `greeterModel(wait:)`. Its inputs, outputs and variables are given, in Lab5Given.

/// The asking person: ask the name, wait for the answer @wait, ask the age, wait @wait, done. A missed deadline
/// (or a refused question) ends in GAVE_UP instead of a hang; an age answer without a number asks again.
public func greeterModel(wait: Duration) throws -> GreeterModel {
    try GreeterModel(
        "Greeter",
        initial: "ASK_NAME",
        phases: [
            Phase("ASK_NAME", .zero),
            Phase("WAIT_NAME", .after(wait)),
            Phase("ASK_AGE", .zero),
            Phase("WAIT_AGE", .after(wait)),
            Phase("DONE", .infinity),
            Phase("GAVE_UP", .infinity),
        ],
        inputs: ["answer", "refused"],
        outputs: ["ask", "timeout"],
        transitions: [
            .internal(from: "ASK_NAME", output: "ask", emit: { _ in .ask(Greeting.nameQuestion) }, to: "WAIT_NAME"),
            .external(
                from: "WAIT_NAME",
                on: "answer",
                to: "ASK_AGE",
                action: { state, input in state.name = input.text }
            ),
            .external(
                from: "WAIT_NAME",
                on: "refused",
                to: "GAVE_UP",
                action: { state, input in state.refusal = input.text }
            ),
            .internal(
                from: "WAIT_NAME",
                output: "timeout",
                emit: { _ in .timeout(Greeting.nameQuestion) },
                to: "GAVE_UP"
            ),
            .internal(from: "ASK_AGE", output: "ask", emit: { _ in .ask(Greeting.ageQuestion) }, to: "WAIT_AGE"),
            .external(
                from: "WAIT_AGE",
                on: "answer",
                when: Condition("a number") { _, input in Greeting.age(in: input.text) != nil },
                to: "DONE",
                action: { state, input in state.age = Greeting.age(in: input.text) }
            ),
            .external(from: "WAIT_AGE", on: "answer", when: .otherwise, to: "ASK_AGE"),
            .external(
                from: "WAIT_AGE",
                on: "refused",
                to: "GAVE_UP",
                action: { state, input in state.refusal = input.text }
            ),
            .internal(
                from: "WAIT_AGE",
                output: "timeout",
                emit: { _ in .timeout(Greeting.ageQuestion) },
                to: "GAVE_UP"
            ),
            .external(from: "GAVE_UP", on: "answer", to: "GAVE_UP"),
            .external(from: "GAVE_UP", on: "refused", to: "GAVE_UP"),
        ]
    )
}
