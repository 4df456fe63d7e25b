import DEVSKit

// A tiny timed model for the runtime's tests: ask, wait @wait for an answer, and either finish or give up. (Lab 5's
// real models, the greeter and the frame receiver, are tested with the lab: Tests/Lab5Tests.)

enum AskerInput: DEVSEvent, Equatable {
    case answer(String)

    var port: String { "answer" }

    var traceLabel: String {
        switch self {
        case .answer(let text): "answer(\(text))"
        }
    }
}

enum AskerOutput: DEVSEvent, Equatable {
    case ask
    case timeout

    var port: String {
        switch self {
        case .ask: "ask"
        case .timeout: "timeout"
        }
    }
}

struct AskerState: Sendable, Equatable {
    var answer: String?
}

typealias AskerModel = AtomicModel<AskerState, AskerInput, AskerOutput>

func asker(wait: Duration = .seconds(5)) throws -> AskerModel {
    try AskerModel(
        "Asker",
        initial: "ASK",
        phases: [
            Phase("ASK", .zero), Phase("WAIT", .after(wait)), Phase("DONE", .infinity), Phase("GAVE_UP", .infinity),
        ],
        inputs: ["answer"],
        outputs: ["ask", "timeout"],
        transitions: [
            .internal(from: "ASK", output: "ask", emit: { _ in .ask }, to: "WAIT"),
            .external(
                from: "WAIT",
                on: "answer",
                when: Condition("not empty") { _, input in input != .answer("") },
                to: "DONE",
                action: { state, input in
                    if case .answer(let text) = input { state.answer = text }
                }
            ),
            .external(from: "WAIT", on: "answer", when: .otherwise, to: "ASK"),
            .internal(from: "WAIT", output: "timeout", emit: { _ in .timeout }, to: "GAVE_UP"),
            .external(from: "GAVE_UP", on: "answer", to: "GAVE_UP"),
        ]
    )
}
