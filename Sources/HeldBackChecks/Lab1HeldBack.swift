import LabCheckKit

/// Lab 1: the dialogue between two people drawn from a list that mixes scripts, commas and apostrophes.
let lab1HeldBack: [Step] = [
    Step(4, "the dialogue between two other people", hint: "use each Human's own name and age (self.name, self.age), never a fixed one") { check in
        let people = check.draw { random in
            var pool = lab1Names.shuffled(using: &random)
            return Greeters(
                (pool.removeLast(), Int.random(in: 7...95, using: &random)),
                (pool.removeLast(), Int.random(in: 7...95, using: &random)))
        }
        check.note("held back: \(people.asker.name) (\(people.asker.age)) asks \(people.answerer.name) (\(people.answerer.age))")
        try expectDialogue(check, lines: 0..<4, people: people)
    },
]

private let lab1Names = [
    "Choi, Changbeom", "Jeong, Minji", "Baek, Seo-yeon", "Nam, Do-hyun", "Ahn, Yerin", "김영희", "박지성", "이서준",
    "Ng, Wai Lun", "O'Neill, Aoife", "Müller, Jürgen", "García, Lucía", "Nguyễn, Thảo", "Okafor, Chidi",
    "Tanaka, Hiroshi", "d'Artagnan", "Smith-Jones, Alex", "Ólafsdóttir, Björk",
]
