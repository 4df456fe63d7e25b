import DEVSKit

// The greeting of lab 1, through the router: what the two persons say, and the asking person's inputs, outputs and
// variables as a DEVS model. The model itself — `greeterModel(wait:)` — is yours (step 13).

/// The greeting of lab 1, as two persons say it through the router: the questions go on the wire as lab 2's
/// protocol has them, and both persons print the lecture's dialogue.
public enum Greeting {
    /// What the asking person sends, in order.
    public static let nameQuestion = "what is your name?"
    public static let ageQuestion = "How old are you?"

    /// The dialogue's line for a question: what lab 1's `askName()` and `askAge()` print.
    public static func line(for question: String) -> String {
        question == nameQuestion ? "Hi. What is your name?" : question
    }

    /// The answering person's reply, or nil for a message that is not one of the two questions.
    public static func answer(to question: String, name: String, age: Int) -> String? {
        switch question {
        case nameQuestion: "My name is \(name)."
        case ageQuestion: "I am \(age)."
        default: nil
        }
    }

    /// The digits of an answer such as "I am 22.", if it has any.
    public static func age(in answer: String) -> Int? {
        Int(String(answer.filter { $0.isASCII && $0.isNumber }))
    }
}

/// What reaches the asking person: an answer from the person asked, or the router refusing to deliver a question
/// (an ERROR such as `no-such-user`).
public enum GreeterInput: DEVSEvent, Equatable {
    case answer(String)
    case refused(String)

    public var port: String {
        switch self {
        case .answer: "answer"
        case .refused: "refused"
        }
    }

    public var traceLabel: String {
        "\(port)(\(text))"
    }

    /// The answer, or the reason.
    public var text: String {
        switch self {
        case .answer(let text), .refused(let text): text
        }
    }
}

/// What the asking person does: ask a question, or give up on one that went unanswered.
public enum GreeterOutput: DEVSEvent, Equatable {
    case ask(String)
    case timeout(String)

    public var port: String {
        switch self {
        case .ask: "ask"
        case .timeout: "timeout"
        }
    }

    public var traceLabel: String {
        switch self {
        case .ask(let question): "ask(\(question))"
        case .timeout(let question): "timeout(\(question))"
        }
    }
}

/// What the asking person has learnt.
public struct GreeterState: Sendable, Equatable {
    /// The answer to the name question.
    public var name: String?
    public var age: Int?
    /// Why the router would not deliver a question.
    public var refusal: String?

    public init(name: String? = nil, age: Int? = nil, refusal: String? = nil) {
        self.name = name
        self.age = age
        self.refusal = refusal
    }
}

public typealias GreeterModel = AtomicModel<GreeterState, GreeterInput, GreeterOutput>
public typealias Greeter = AtomicSimulator<GreeterState, GreeterInput, GreeterOutput>
public typealias GreeterTransition = Transition<GreeterState, GreeterInput, GreeterOutput>
