/// A person who can ask and answer the two questions of the greeting.
///
/// The slide's Python constructor reads `def __init__(self, _name, _age): self.name = name` — it assigns a variable
/// called `name`, not the parameter `_name`, so every Human would get whatever global `name` happens to hold.
/// Swift refuses to compile the same mistake: `self.name = name` with no parameter called `name` is an error.
final class Human {
    let name: String
    let age: Int

    init(name: String, age: Int) {
        self.name = name
        self.age = age
    }

    func askName() {
        print("\(name): Hi. What is your name?")
    }

    func answerName() {
        print("\(name): My name is \(name).")
    }

    func askAge() {
        print("\(name): How old are you?")
    }

    func answerAge() {
        print("\(name): I am \(age).")
    }
}
