import Foundation

/// One of the kit's lab programs, as `make run` starts it: `make run LAB=3 PROG=echo-server ARGS="--pause"`.
struct LabProgram: Equatable, Sendable {
    let lab: Int
    /// The name `make run` takes: `echo-server` (the product is `lab3-echo-server`, or `…-solution`).
    let name: String
    /// What it was started with, `--port` left out: a check gives it a port of its own.
    let arguments: [String]

    /// `lab3-echo-server-solution` → lab 3, `echo-server`; nil for a program that is not a lab's.
    init?(product: String, arguments: [String]) {
        guard let match = product.wholeMatch(of: /lab(\d+)-(.+?)(-solution)?/), let lab = Int(match.1) else {
            return nil
        }
        self.lab = lab
        name = String(match.2)
        self.arguments = Self.withoutPort(arguments)
    }

    init(lab: Int, name: String, arguments: [String] = []) {
        self.lab = lab
        self.name = name
        self.arguments = arguments
    }

    /// The program a Telegram conversation (`tg`) talks to.
    static let telegramBot = LabProgram(lab: 6, name: "telegram-bot")

    private static func withoutPort(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var index = 0
        while index < arguments.count {
            if arguments[index] == "--port" {
                index += 2
                continue
            }
            if !arguments[index].hasPrefix("--port=") { kept.append(arguments[index]) }
            index += 1
        }
        return kept
    }
}
