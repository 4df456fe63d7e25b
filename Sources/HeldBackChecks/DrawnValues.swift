import LabCheckKit

/// The values the held-back variants of labs 4–6 draw from a step's seed: words in several scripts with the
/// characters that break naive code (multi-byte UTF-8 a recv may cut in two, commas, apostrophes, HTML's `<` and `&`),
/// people's names that fit lab 5's protocol (1–32 bytes of UTF-8, no newline), and raw bytes.
enum Drawn {
    static let words = [
        "hello", "안녕하세요", "Grüße", "naïve", "O'Neill", "d'Artagnan", "Ωμέγα", "日本語", "🎉", "Łódź", "façade", "1234",
        "«quoted»", "Nguyễn", "Ólafsdóttir", "ok", "tab\there", "a, b", "x<y", "&amp;", "—", "über", "שלום", "مرحبا",
    ]

    /// Names of 1 to 32 bytes of UTF-8: the longest Korean one is 30 bytes, the Latin one 32.
    static let names = [
        "Q", "Ann", "Lee, Mong", "김영희", "박지성", "O'Brien", "Müller, Jürgen", "Nguyễn Thảo", "d'Artagnan", "Ólafsdóttir",
        "Smith-Jones, Alex", "이서준 (student)", "🎉 Party", "Ωmega", "García, Lucía", "Ng Wai Lun", "김철수김철수김철수김",
        "abcdefghijklmnopqrstuvwxyz012345",
    ]

    /// A few words joined by spaces.
    static func text(_ random: inout SeededRandom, words count: ClosedRange<Int> = 1...5) -> String {
        (0..<Int.random(in: count, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(
            separator: " "
        )
    }

    /// `count` different names, in the order drawn.
    static func names(_ count: Int, _ random: inout SeededRandom) -> [String] {
        Array(names.shuffled(using: &random).prefix(count))
    }

    /// Any bytes at all: zeros, newlines, bytes that are not UTF-8.
    static func bytes(_ random: inout SeededRandom, count: ClosedRange<Int>) -> [UInt8] {
        (0..<Int.random(in: count, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// Raw bytes or text, half and half.
    static func payload(_ random: inout SeededRandom, bytes count: ClosedRange<Int>) -> [UInt8] {
        Bool.random(using: &random) ? bytes(&random, count: count) : Array(text(&random, words: 1...12).utf8)
    }
}
