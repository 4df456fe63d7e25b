import DEVSKit
import Lab5Given
import LabSupport

// The asking person of the greeting, as a DEVS atomic model: the diagram in the handout is drawn from
// `greeterModel(wait:)`. Its inputs, outputs and variables are given, in Lab5Given.

/// The asking person: ask the name, wait for the answer @wait, ask the age, wait @wait, done. A missed deadline
/// (or a refused question) ends in GAVE_UP instead of a hang; an age answer without a number asks again.
public func greeterModel(wait: Duration) throws -> GreeterModel {
    // TODO step 13: `try GreeterModel("Greeter", initial: "ASK_NAME", phases: [...], inputs: ["answer", "refused"],
    //   outputs: ["ask", "timeout"], transitions: [...])`, as the handout's diagram draws it: the same phases with
    //   their deadlines (`wait` for the two WAIT phases), the same arrows and conditions. Keep what the model learns
    //   in GreeterState (the name, the age, why the router refused). The age's condition is `Condition("a number")
    //   { _, input in Greeting.age(in: input.text) != nil }`, and `[else]` is `.otherwise`.
    throw NotImplemented("step 13 — the greeter model: declare its phases and transitions (the diagram in the handout)")
}
