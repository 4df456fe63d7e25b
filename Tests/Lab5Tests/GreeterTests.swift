import DEVSKit
import Lab5Given
import Lab5ProtocolSolution
import Testing

/// The asking person of the greeting in virtual time.
@Suite struct GreeterTests {
    let model: GreeterModel
    let askName = GreeterOutput.ask(Greeting.nameQuestion)
    let askAge = GreeterOutput.ask(Greeting.ageQuestion)

    init() throws {
        model = try greeterModel(wait: .seconds(5))
    }

    @Test func theWholeDialogue() throws {
        let result = try model.simulate(
            from: GreeterState(),
            inputs: [
                Timed(.seconds(1), .answer("My name is Kim, Younghee.")), Timed(.seconds(2), .answer("I am 22.")),
            ],
            until: .seconds(60)
        )
        #expect(result.outputs == [Timed(.zero, askName), Timed(.seconds(1), askAge)])
        #expect(result.phase == "DONE")
        #expect(result.state == GreeterState(name: "My name is Kim, Younghee.", age: 22))
        #expect(
            result.trace.map(\.description) == [
                "    0.000s  ASK_NAME → WAIT_NAME  !ask(what is your name?)",
                "    1.000s  WAIT_NAME → ASK_AGE  ?answer(My name is Kim, Younghee.)",
                "    1.000s  ASK_AGE → WAIT_AGE  !ask(How old are you?)",
                "    2.000s  WAIT_AGE → DONE  ?answer(I am 22.) [a number]",
            ]
        )
    }

    @Test func noAnswerToTheNameGivesUpAfterFiveSeconds() throws {
        let result = try model.simulate(
            from: GreeterState(),
            inputs: [Timed(.seconds(7), .answer("Kim"))],
            until: .seconds(60)
        )
        #expect(result.outputs == [Timed(.zero, askName), Timed(.seconds(5), .timeout(Greeting.nameQuestion))])
        #expect(result.phase == "GAVE_UP")
        // The late answer is declared, and ignored.
        #expect(
            result.trace.last
                == TraceEntry(time: .seconds(7), from: "GAVE_UP", to: "GAVE_UP", event: .input("answer(Kim)"))
        )
        #expect(result.state == GreeterState())
    }

    @Test func theAgeDeadlineStartsWhenTheAgeIsAsked() throws {
        let result = try model.simulate(
            from: GreeterState(),
            inputs: [Timed(.seconds(4), .answer("Kim"))],
            until: .seconds(60)
        )
        #expect(
            result.outputs == [
                Timed(.zero, askName), Timed(.seconds(4), askAge), Timed(.seconds(9), .timeout(Greeting.ageQuestion)),
            ]
        )
        #expect(result.state == GreeterState(name: "Kim"))
    }

    @Test func anAnswerWithoutANumberAsksAgainWithAFreshDeadline() throws {
        let result = try model.simulate(
            from: GreeterState(),
            inputs: [
                Timed(.seconds(1), .answer("Kim")),
                Timed(.seconds(3), .answer("twenty-two")),
                Timed(.milliseconds(7_500), .answer("22")),  // past 1 + 5, within 3 + 5
            ],
            until: .seconds(60)
        )
        #expect(result.outputs == [Timed(.zero, askName), Timed(.seconds(1), askAge), Timed(.seconds(3), askAge)])
        #expect(
            result.trace[3]
                == TraceEntry(
                    time: .seconds(3),
                    from: "WAIT_AGE",
                    to: "ASK_AGE",
                    event: .input("answer(twenty-two)"),
                    condition: "else"
                )
        )
        #expect(result.phase == "DONE")
        #expect(result.state.age == 22)
    }

    @Test func aRefusedQuestionGivesUpAtOnce() throws {
        let result = try model.simulate(
            from: GreeterState(),
            inputs: [Timed(.milliseconds(3), .refused("no-such-user: nobody called Kim"))],
            until: .seconds(60)
        )
        #expect(result.outputs == [Timed(.zero, askName)])
        #expect(result.phase == "GAVE_UP")
        #expect(result.state.refusal == "no-such-user: nobody called Kim")
    }

    @Test func anAnswerAfterDoneIsAnUndeclaredTransition() throws {
        let error = try #require(throws: DEVSError.self) {
            try model.simulate(
                from: GreeterState(),
                inputs: [
                    Timed(.seconds(1), .answer("Kim")), Timed(.seconds(2), .answer("22")),
                    Timed(.seconds(3), .answer("again")),
                ],
                until: .seconds(60)
            )
        }
        #expect(error == DEVSError(.noTransition(tried: []), time: .seconds(3), phase: "DONE", event: "?answer"))
        #expect(error.description == "at 3.000s in DONE on ?answer: no transition is declared")
    }

    @Test func theDialogueLinesAndAnswers() {
        #expect(Greeting.line(for: Greeting.nameQuestion) == "Hi. What is your name?")
        #expect(Greeting.line(for: Greeting.ageQuestion) == "How old are you?")
        #expect(
            Greeting.answer(to: "what is your name?", name: "Kim, Younghee", age: 22) == "My name is Kim, Younghee."
        )
        #expect(Greeting.answer(to: "How old are you?", name: "Kim, Younghee", age: 22) == "I am 22.")
        #expect(Greeting.answer(to: "Where do you live?", name: "Kim", age: 22) == nil)
        #expect(Greeting.age(in: "I am 22.") == 22 && Greeting.age(in: "twenty-two") == nil)
    }
}
