/// Per-chat conversation state: where each chat is in a dialogue (asked for the name, asked for
/// the age...), as an explicit state value of the bot's own type.
///
/// With a `timeout`, a conversation left hanging that long is forgotten: `state(for:)` answers
/// nil again and the dialogue starts over. The clock is injectable for tests.
public actor ConversationStore<State: Sendable> {
    public typealias Instant = ContinuousClock.Instant

    private var entries: [Int64: (state: State, touched: Instant)] = [:]
    private let timeout: Duration?
    private let now: @Sendable () -> Instant

    public init(timeout: Duration? = nil, now: @escaping @Sendable () -> Instant = { ContinuousClock.now }) {
        self.timeout = timeout
        self.now = now
    }

    /// The chat's state, or nil when it has none or it expired.
    public func state(for chatID: Int64) -> State? {
        guard let entry = entries[chatID] else { return nil }
        if let timeout, now() - entry.touched >= timeout {
            entries[chatID] = nil
            return nil
        }
        return entry.state
    }

    /// Sets (or with nil, ends) the chat's state; this restarts its timeout.
    public func set(_ state: State?, for chatID: Int64) {
        if let state {
            entries[chatID] = (state, now())
        } else {
            entries[chatID] = nil
        }
    }

    /// Ends the chat's conversation.
    public func reset(_ chatID: Int64) {
        entries[chatID] = nil
    }

    /// The chats with a conversation going on (expired ones excluded).
    public var activeChats: [Int64] {
        entries.keys.filter { state(for: $0) != nil }.sorted()
    }
}
