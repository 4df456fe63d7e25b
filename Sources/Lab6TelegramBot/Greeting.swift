import Foundation
import LabSupport
import TelegramKit

/// Where a chat is in the greeting. No state at all (nil) is "idle": no greeting going on.
enum GreetingState: Sendable, Equatable {
    /// The bot asked "Hi. What is your name?".
    case askedName
    /// The bot asked "How old are you?", and knows the name.
    case askedAge(name: String)
}

/// What can happen to a chat's greeting.
enum GreetingEvent: Sendable, Equatable {
    /// The /greet command.
    case greet
    /// The /cancel command.
    case cancel
    /// Any other text.
    case text(String)
}

/// Lab 1's greeting as a conversation: the bot asks, as Hong, Gil Dong did, and the user answers, as Kim, Younghee
/// did. Each chat has its own state; the model says, for a state and an event, the next state and the reply.
///
///     (idle) ──/greet──▶ askedName ──a name──▶ askedAge(name) ──a number──▶ (idle), sending lab 1's dialogue
///     askedAge ──not a number──▶ askedAge (asked again)
///     any state ──/cancel, or no answer within the timeout──▶ (idle)
struct Greeting: Sendable {
    let botName: String
    /// Each chat's state; one left hanging longer than the timeout is forgotten.
    let chats: ConversationStore<GreetingState>

    init(botName: String, timeout: Duration) {
        self.botName = botName
        // TODO step 5: forget a greeting left hanging: ConversationStore(timeout: timeout).
        _ = timeout
        chats = ConversationStore()
    }

    /// Step 4: the state model. From `state`, on `event`: the next state and the bot's reply.
    func next(from state: GreetingState?, on event: GreetingEvent) throws -> (state: GreetingState?, reply: String) {
        // TODO step 4: one case per arrow of the diagram above, e.g.
        //   (_, .greet): (.askedName, "Hi. What is your name?")
        //   (.askedName, .text(name)): (.askedAge(name: name), "How old are you?")
        //   (.askedAge(name), .text(age)) with a number: (nil, dialogue(name: name, age: age)); not a number:
        //     stay, and ask "Please answer with a number. How old are you?"
        //   (nil, .cancel): (nil, "There is no greeting to cancel. Send /greet to start one.")
        //   (_, .cancel): (nil, "OK, let's stop here. Send /greet to start again.")
        throw NotImplemented("step 4 — the greeting's state model: next(from:on:)")
    }

    /// The whole greeting, as lab 1 prints it, with the bot asking and the user answering.
    func dialogue(name: String, age: Int) -> String {
        """
        \(botName): Hi. What is your name?
        \(name): My name is \(name).
        \(botName): How old are you?
        \(name): I am \(age).
        """
    }

    /// /greet, /cancel, and the texts that answer a question the bot asked.
    func add(to bot: Dispatcher) async {
        await bot.command("greet") { try await handle(.greet, $0) }
        await bot.command("cancel") { try await handle(.cancel, $0) }
        await bot.text(when: { context in
            guard context.command == nil else { return false }  // an unknown command is no answer
            return await chats.state(for: context.chatID) != nil
        }) { try await handle(.text($0.text), $0) }
    }

    private func handle(_ event: GreetingEvent, _ context: Context) async throws {
        let (state, reply) = try next(from: await chats.state(for: context.chatID), on: event)
        await chats.set(state, for: context.chatID)
        try await context.reply(reply)
    }
}
