import LabCheckKit

/// Lab 1: the dialogue between two people drawn from a list that mixes scripts, commas and apostrophes.
let lab1HeldBack: [Step] = [
    Step(4, "the dialogue between two other people", hint: publicHint(lab: 1, step: 4)) { check in
        let people = check.draw { random in
            var pool = heldBackNames.shuffled(using: &random)
            return Greeters(
                (pool.removeLast(), Int.random(in: 7...95, using: &random)),
                (pool.removeLast(), Int.random(in: 7...95, using: &random))
            )
        }
        check.note(
            "held back: \(people.asker.name) (\(people.asker.age)) asks \(people.answerer.name) (\(people.answerer.age))"
        )
        try expectDialogue(check, lines: 0..<4, people: people)
    }
]

/// People the handouts never show, for every lab that greets: scripts, commas, apostrophes and hyphens.
let heldBackNames = [
    "Choi, Changbeom", "Jeong, Minji", "Baek, Seo-yeon", "Nam, Do-hyun", "Ahn, Yerin", "김영희", "박지성", "이서준",
    "Ng, Wai Lun", "O'Neill, Aoife", "Müller, Jürgen", "García, Lucía", "Nguyễn, Thảo", "Okafor, Chidi",
    "Tanaka, Hiroshi", "d'Artagnan", "Smith-Jones, Alex", "Ólafsdóttir, Björk",
]

/// The public step's first hint, so that a held-back variant points where its public twin does.
func publicHint(lab: Int, step: Int) -> String {
    Lab.numbered(lab)?.step(step)?.hint ?? ""
}
