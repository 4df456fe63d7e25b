import LabSupport

/// A person who can ask and answer the two questions of the greeting: the lecture's `Human` class, in Swift.
/// Fill in each TODO (Labs/01-oo-greeting/README.md), then run `make check LAB=1`.
final class Human {
    let name: String
    let age: Int

    init(name: String, age: Int) {
        // TODO step 1: keep the name and the age this Human was given (careful: the slide's constructor has a bug).
        self.name = ""
        self.age = 0
        notImplemented("step 1 — Human.init(name:age:) must keep the name and age")
    }

    func askName() {
        // TODO step 1: print "<name>: Hi. What is your name?"
        notImplemented("step 1 — Human.askName()")
    }

    func answerName() {
        // TODO step 2: print "<name>: My name is <name>."
        notImplemented("step 2 — Human.answerName()")
    }

    func askAge() {
        // TODO step 3: print "<name>: How old are you?"
        notImplemented("step 3 — Human.askAge()")
    }

    func answerAge() {
        // TODO step 3: print "<name>: I am <age>."
        notImplemented("step 3 — Human.answerAge()")
    }
}
