import DEVSKit
import FrameTypes
import Lab5Given
import Lab5Protocol
import LabSupport
import SocketKit

/// The asking person, through the router: the greeter model runs in real time, woken by the selector when an answer
/// arrives or its deadline comes, whichever is first.
func ask(_ other: String, over router: RouterConnection, as me: String, wait: Duration, trace: Bool) throws {
    // TODO step 14: a Greeter(greeterModel(wait:), state: GreeterState(), at: clock.now()) on a RealTimeClock, and a
    //   Selector watching router.socket. Start with greeter.advance(to: clock.now()). Then in a loop: act on the
    //   outputs — !ask(question): print "ME: " + Greeting.line(for: question) and SEND the question to `other`;
    //   !timeout: throw Failure (no hang!) —; stop at DONE (router.sayBye()) or GAVE_UP (throw Failure). Wait with
    //   select(timeout:) until the model's nextEventTime; feed what arrived: DELIVER from `other` → print
    //   "OTHER: TEXT" and greeter.receive(.answer(text), ...); ERROR → .refused. Then advance to now.
    //   With `trace`, pass { print($0) } as the simulator's trace.
    throw NotImplemented("step 14 — ask: the greeter model in real time, through the router")
}

/// The answering person: answers the two questions of whoever asks, printing the dialogue, and leaves once the age
/// has been asked.
func answer(over router: RouterConnection, as me: String, age: Int) throws {
    // TODO step 14: for every DELIVER: print "FROM: " + Greeting.line(for: text); reply with SEND to FROM of
    //   Greeting.answer(to:name:age:) (printed as "ME: REPLY"); after answering the age: router.sayBye().
    throw NotImplemented("step 14 — answer: reply to the two questions")
}
