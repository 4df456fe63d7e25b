import DEVSKit
import FrameTypes
import Lab5Given
import Lab5ProtocolSolution
import LabSupport
import SocketKit

/// The asking person, through the router: the greeter model runs in real time, woken by the selector when an answer
/// arrives or its deadline comes, whichever is first.
func ask(_ other: String, over router: RouterConnection, as me: String, wait: Duration, trace: Bool) throws {
    let model = try greeterModel(wait: wait)
    let clock = RealTimeClock()
    var greeter = Greeter(model, state: GreeterState(), at: clock.now())
    let show: (TraceEntry) -> Void = trace ? { print($0) } : { _ in }
    let selector = try Selector<Bool>()
    try selector.register(router.socket, events: .read, data: true)

    var outputs = try greeter.advance(to: clock.now(), trace: show)
    while true {
        for output in outputs {
            switch output.value {
            case .ask(let question):
                print("\(me): \(Greeting.line(for: question))")
                try router.send(.send(to: other, text: question))
            case .timeout(let question):
                throw Failure("\(other) did not answer \"\(question)\" within \(Deadline.after(wait)): giving up")
            }
        }
        switch greeter.phase {
        case "DONE": return try router.sayBye()
        case "GAVE_UP": throw Failure("\(other) cannot be asked: \(greeter.state.refusal ?? "the router refused")")
        default: break
        }

        let ready = try selector.select(timeout: clock.timeout(until: greeter.nextEventTime).map { $0 / .seconds(1) })
        outputs = []
        if !ready.isEmpty {
            guard try router.receiveMore() else { throw Failure("the router closed the connection") }
            while let message = try router.buffered() {
                switch message {
                case .deliver(let from, let text) where from == other && greeter.phase != "DONE":
                    print("\(other): \(text)")
                    outputs += try greeter.receive(.answer(text), at: clock.now(), trace: show)
                case .error(let code, let text) where greeter.phase != "DONE":
                    outputs += try greeter.receive(.refused("\(code.rawValue): \(text)"), at: clock.now(), trace: show)
                default:
                    print(describe(message))
                }
            }
        }
        outputs += try greeter.advance(to: clock.now(), trace: show)
    }
}

/// The answering person: answers the two questions of whoever asks, printing the dialogue, and leaves once the age
/// has been asked.
func answer(over router: RouterConnection, as me: String, age: Int) throws {
    while let message = try router.receive() {
        guard case .deliver(let from, let text) = message else {
            print(describe(message))
            continue
        }
        print("\(from): \(Greeting.line(for: text))")
        guard let reply = Greeting.answer(to: text, name: me, age: age) else {
            print("(\(me) only answers \"\(Greeting.nameQuestion)\" and \"\(Greeting.ageQuestion)\")")
            continue
        }
        print("\(me): \(reply)")
        try router.send(.send(to: from, text: reply))
        if text == Greeting.ageQuestion { return try router.sayBye() }
    }
    throw Failure("the router closed the connection before the greeting was over")
}
