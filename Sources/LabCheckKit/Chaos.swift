import Foundation
import Synchronization

/// SplitMix64: a tiny generator whose sequence is fixed by its seed, so that a run can be replayed from the seed it
/// prints.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Which seed each step draws from: `make check` uses a fixed one per step, so that the same code always gets the
/// same verdict; `SEED=random` explores; `SEED=s` replays a run that printed s.
public enum SeedChoice: Sendable, Equatable {
    case fixed
    case given(UInt64)
    case random

    /// `"random"`, a number, or nil for the fixed seeds.
    public init?(_ text: String?) {
        guard let text, !text.isEmpty else {
            self = .fixed
            return
        }
        if text == "random" {
            self = .random
        } else if let seed = UInt64(text) {
            self = .given(seed)
        } else {
            return nil
        }
    }

    func seed(lab: Int, step: Int) -> UInt64 {
        switch self {
        case .fixed:
            // Small and memorable, and different for every step.
            return UInt64(lab * 100 + step)
        case .given(let seed):
            return seed
        case .random:
            return UInt64.random(in: 1...999_999)
        }
    }
}

/// How a chaotic peer delivers what a check sends, drawn from the step's seed: whole; cut into single bytes at the
/// start (a header dribbled); cut at a few points; cut with a long pause mid-message; or held back and sent in one
/// write with what follows (coalesced). The bytes and their order never change — only where TCP's segments fall, as
/// a real network may do.
final class Chaos: Sendable {
    struct Piece {
        let bytes: ArraySlice<UInt8>
        let pauseAfter: Duration
    }

    enum Delivery: Equatable {
        case whole
        case pieces
        /// Held back, to go out in one write with the next send (or before the next receive).
        case coalesce
    }

    private let random: Mutex<SeededRandom>

    init(seed: UInt64, connection: Int) {
        random = Mutex(SeededRandom(seed: seed ^ (UInt64(connection) &* 0xD1B5_4A32_D192_ED03)))
    }

    /// How to deliver `bytes`: cut points and pauses, or to hold them back.
    func plan(_ bytes: [UInt8]) -> (Delivery, [Piece]) {
        random.withLock { random in
            let whole = [Piece(bytes: bytes[...], pauseAfter: .zero)]
            guard bytes.count > 1 else { return (.whole, whole) }
            let short = Duration.milliseconds(Int.random(in: 2...10, using: &random))
            switch Int.random(in: 0..<10, using: &random) {
            case 0...2:
                return (.whole, whole)
            case 3...4:
                // The first bytes one at a time: a header that arrives a byte per recv.
                let dribbled = min(bytes.count - 1, Int.random(in: 2...8, using: &random))
                return (.pieces, cut(bytes, at: Array(1...dribbled), pause: short))
            case 5...7:
                let count = Int.random(in: 1...3, using: &random)
                let points = (0..<count).map { _ in Int.random(in: 1..<bytes.count, using: &random) }
                return (.pieces, cut(bytes, at: points, pause: short))
            case 8:
                let point = Int.random(in: 1..<bytes.count, using: &random)
                return (
                    .pieces, cut(bytes, at: [point], pause: .milliseconds(Int.random(in: 50...150, using: &random)))
                )
            default:
                return bytes.count <= 65536 ? (.coalesce, whole) : (.whole, whole)
            }
        }
    }

    private func cut(_ bytes: [UInt8], at points: [Int], pause: Duration) -> [Piece] {
        let bounds = ([0] + Set(points).sorted() + [bytes.count])
        return zip(bounds, bounds.dropFirst()).enumerated().map { index, range in
            Piece(bytes: bytes[range.0..<range.1], pauseAfter: index == bounds.count - 2 ? .zero : pause)
        }
    }
}
