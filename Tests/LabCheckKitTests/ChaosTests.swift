import Foundation
import Testing

@testable import LabCheckKit

/// Seeded chaos: the same seed cuts the same way, the bytes never change, and a failure found with a random seed
/// is replayed by that seed.
@Suite struct ChaosTests {
    @Test func aSeedFixesThePlanAndThePlanKeepsTheBytes() {
        let message = Array("HELLO Kim, how are you today?".utf8)
        for seed in UInt64(1)...200 {
            let first = Chaos(seed: seed, connection: 1)
            let again = Chaos(seed: seed, connection: 1)
            for _ in 0..<5 {
                let (delivery, pieces) = first.plan(message)
                let (deliveryAgain, piecesAgain) = again.plan(message)
                #expect(delivery == deliveryAgain)
                #expect(pieces.map { Array($0.bytes) } == piecesAgain.map { Array($0.bytes) })
                #expect(pieces.flatMap { Array($0.bytes) } == message)
            }
        }
    }

    @Test func everyKindOfDeliveryHappens() {
        var kinds: Set<String> = []
        for seed in UInt64(1)...100 {
            let (delivery, pieces) = Chaos(seed: seed, connection: 1).plan(Array(repeating: 65, count: 100))
            kinds.insert(delivery == .pieces ? (pieces.first?.bytes.count == 1 ? "dribbled" : "cut") : "\(delivery)")
            if pieces.contains(where: { $0.pauseAfter >= .milliseconds(50) }) { kinds.insert("long pause") }
        }
        #expect(kinds == ["whole", "dribbled", "cut", "coalesce", "long pause"])
    }

    /// A server that answers only when one recv brings the whole question — the lecture's lab 2 protocol, which a
    /// stream cut in pieces breaks.
    static let fragileServer = """
        exec python3 -c '
        import socket
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
        print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
        while True:
            c, _ = s.accept()
            data = c.recv(1024)
            c.sendall(b"ok" if data == b"what is your name?" else b"??")
            c.close()
        '
        """

    static let askStep = Step(1, "asks", hint: "h") { check in
        let (_, port) = try check.startServer("server")
        let peer = try check.connect(to: port, chaotic: true)
        try peer.send("what is your name?")
        try peer.expect("ok", waitingFor: "the answer")
    }

    /// A relay: what the first client sends goes to the second, as lab 5's router relays a SEND.
    static let relayServer = """
        exec python3 -c '
        import socket
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
        print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
        a, _ = s.accept(); b, _ = s.accept()
        while data := a.recv(1024): b.sendall(data)
        '
        """

    static let relayStep = Step(1, "relays", hint: "h") { check in
        let (_, port) = try check.startServer("server")
        let sender = try check.connect(to: port, label: "sender", chaotic: true)
        let receiver = try check.connect(to: port, label: "receiver")
        try sender.send("for the other one")
        try receiver.expect("for the other one", timeout: .seconds(2), waitingFor: "the relayed bytes")
    }

    /// A chaotic peer that holds its bytes back to coalesce them with its next send must still send them before the
    /// checker waits on another connection — or a relayed message never arrives.
    @Test func bytesHeldBackGoOutBeforeAnotherPeerWaits() throws {
        try expectEverySeedPasses(Self.relayStep, programs: ["server": Self.relayServer])
    }

    /// A client that prints what its server says: the checker plays the server, then waits for the client's output.
    static let printingClient = """
        exec python3 -c '
        import socket, sys
        port = int(sys.argv[sys.argv.index("--port") + 1])
        with socket.create_connection(("127.0.0.1", port)) as c:
            data = b""
            while len(data) < 7 and (chunk := c.recv(1024)): data += chunk
            print("got " + data.decode(), flush=True)
        ' "$@"
        """

    static let printedStep = Step(1, "prints", hint: "h") { check in
        let listener = try check.listen()
        let client = try check.start("client", ["--port", String(listener.port)])
        let server = try listener.accept(from: client, chaotic: true)
        try server.send("WELCOME")
        try client.waitForLine(startingWith: "got WELCOME", timeout: .seconds(2), waitingFor: "the greeting")
    }

    /// Held-back bytes go out before the checker waits for a program's output, too (lab 5 step 3, seed 465993: the
    /// WELCOME held back "to go out with what follows" while the checker waited for "logged in as Kim").
    @Test func bytesHeldBackGoOutBeforeTheCheckerWaitsForAProgram() throws {
        try expectEverySeedPasses(Self.printedStep, programs: ["client": Self.printingClient])
    }

    /// `step` passes with seeds 1–20, and at least one of them held a message back (or the test proves nothing).
    func expectEverySeedPasses(_ step: Step, programs: [String: String]) throws {
        let fake = try FakeLab(programs)
        defer { fake.remove() }
        let lab = Lab(number: 9, title: "Fake", folder: "09-fake", programs: [], steps: [step])
        var runner = LabRunner(lab: lab, binDirectory: fake.directory, solution: false)
        var heldBack = 0
        for seed in UInt64(1)...20 {
            runner.seeds = .given(seed)
            let result = try #require(runner.run().first)
            #expect(result.passed, "seed \(seed): \(result.outcome)")
            if result.transcript.contains("held back") { heldBack += 1 }
        }
        #expect(heldBack > 0, "no seed of 20 held the message back: the test proves nothing")
    }

    @Test func aFailureFoundWithARandomSeedIsReplayedByIt() throws {
        let fake = try FakeLab(["server": Self.fragileServer])
        defer { fake.remove() }
        let lab = Lab(number: 9, title: "Fake", folder: "09-fake", programs: [], steps: [Self.askStep])
        var runner = LabRunner(lab: lab, binDirectory: fake.directory, solution: false)
        var failedSeed: UInt64?
        var passed = false
        for seed in UInt64(1)...40 where failedSeed == nil || !passed {
            runner.seeds = .given(seed)
            let result = try #require(runner.run().first)
            #expect(result.seed == seed, "a chaotic step reports its seed")
            if result.passed { passed = true } else if failedSeed == nil { failedSeed = seed }
        }
        let seed = try #require(failedSeed, "no seed of 40 cut the question")
        #expect(passed, "every seed of 40 cut the question")
        for _ in 1...3 {
            runner.seeds = .given(seed)
            #expect(runner.run().first?.passed == false, "seed \(seed) failed once, and must fail every time")
        }
    }
}
