import DEVSKit

// The asking person of the lab 5 greeting as an atomic model: ask the name, wait for the answer
// @5s, ask the age, wait @5s, done; a missed deadline gives up with !timeout instead of hanging.

enum GreeterInput: DEVSEvent, Equatable {
    case answer(String)

    var port: String { "answer" }

    var traceLabel: String {
        switch self {
        case .answer(let text): "answer(\(text))"
        }
    }
}

enum GreeterOutput: DEVSEvent, Equatable {
    case ask(String)
    /// The question that went unanswered.
    case timeout(String)

    var port: String {
        switch self {
        case .ask: "ask"
        case .timeout: "timeout"
        }
    }

    var traceLabel: String {
        switch self {
        case .ask(let question): "ask(\(question))"
        case .timeout(let question): "timeout(\(question))"
        }
    }
}

struct GreeterState: Sendable, Equatable {
    var name: String?
    var age: Int?
}

let askName = "Hi. What is your name?"
let askAge = "How old are you?"

/// The digits of an answer such as "I am 22.", if it has any.
func age(in answer: String) -> Int? {
    Int(String(answer.filter { $0.isASCII && $0.isNumber }))
}

typealias GreeterModel = AtomicModel<GreeterState, GreeterInput, GreeterOutput>

func greeter(wait: Duration = .seconds(5)) throws -> GreeterModel {
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
        inputs: ["answer"],
        outputs: ["ask", "timeout"],
        transitions: [
            .internal(from: "ASK_NAME", output: "ask", emit: { _ in .ask(askName) }, to: "WAIT_NAME"),
            .external(
                from: "WAIT_NAME", on: "answer", to: "ASK_AGE",
                action: { state, input in
                    if case .answer(let text) = input { state.name = text }
                }),
            .internal(from: "WAIT_NAME", output: "timeout", emit: { _ in .timeout(askName) }, to: "GAVE_UP"),
            .internal(from: "ASK_AGE", output: "ask", emit: { _ in .ask(askAge) }, to: "WAIT_AGE"),
            .external(
                from: "WAIT_AGE", on: "answer",
                when: Condition("a number") { _, input in
                    guard case .answer(let text) = input else { return false }
                    return age(in: text) != nil
                },
                to: "DONE",
                action: { state, input in
                    if case .answer(let text) = input { state.age = age(in: text) }
                }),
            .external(from: "WAIT_AGE", on: "answer", when: .otherwise, to: "ASK_AGE"),
            .internal(from: "WAIT_AGE", output: "timeout", emit: { _ in .timeout(askAge) }, to: "GAVE_UP"),
            .external(from: "GAVE_UP", on: "answer", to: "GAVE_UP"),
        ]
    )
}
