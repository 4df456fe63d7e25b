import SwiftScanner
import Testing

@Suite struct DeclarationTests {
    private func names(_ source: String) -> [String] {
        SwiftSource(source).declarations.map(\.qualifiedName)
    }

    private func body(_ source: String, of name: String) -> String? {
        let parsed = SwiftSource(source)
        return parsed.declarations.first { $0.qualifiedName == name }.map { parsed.text($0.body) }
    }

    @Test func functionsInitializersAndTheirLabels() {
        let source = """
            final class EchoLoop: Base {
                init(listening lsock: Socket, quiet: Bool) throws { self.quiet = quiet; super.init() }
                convenience init?(_ value: Int) { self.init(listening: s, quiet: true) }
                deinit { close() }
                func receive(_ conn: Connection, from peer: [String: Int], map: Dictionary<String, Int> = [:]) { }
                @discardableResult
                private static func make<T: Sendable>(
                    _ value: T
                ) async throws
                    -> Int
                    where T: Hashable
                {
                    42
                }
                class func shared() -> EchoLoop { .init(listening: s, quiet: false) }
                static func == (lhs: EchoLoop, rhs: EchoLoop) -> Bool { true }
            }
            """
        #expect(
            names(source) == [
                "EchoLoop", "EchoLoop.init(listening:quiet:)", "EchoLoop.init(_:)", "EchoLoop.deinit",
                "EchoLoop.receive(_:from:map:)", "EchoLoop.make(_:)", "EchoLoop.shared()", "EchoLoop.==(lhs:rhs:)",
            ]
        )
        #expect(body(source, of: "EchoLoop.make(_:)")?.trimmingWhitespace == "42")
        let make = SwiftSource(source).declarations.first { $0.name == "make(_:)" }
        #expect(make?.header == "func make<T: Sendable>( _ value: T ) async throws -> Int where T: Hashable")
        #expect(make?.line == 7)
    }

    @Test func requirementsWithoutBodies() {
        let source = """
            protocol Peer {
                func send(_ bytes: [UInt8]) throws
                var name: String { get }
                init(name: String)
                subscript(index: Int) -> UInt8 { get set }
            }
            extension Peer {
                func greet() { send([]) }
            }
            """
        #expect(names(source) == ["Peer", "Peer.name", "Peer.subscript(index:)", "Peer", "Peer.greet()"])
    }

    @Test func propertiesAndAccessors() {
        let source = """
            struct Tally {
                var count: Int { values.count }
                var total: Int {
                    get { values.reduce(0, +) }
                    set(newTotal) { values = [newTotal] }
                }
                var values: [Int] = [] {
                    didSet { print("changed") }
                }
                var limit = 5 { willSet { print(newValue) } }
                let table = { () -> [Int: Int] in [1: 2] }()
                lazy var cache: [Int] = {
                    var values: [Int] = []
                    return values
                }()
                var plain: Dictionary<String, Int> = [:]
                subscript(_ index: Int) -> Int {
                    get async throws { values[index] }
                }
            }
            """
        #expect(
            names(source) == [
                "Tally", "Tally.count", "Tally.total", "Tally.total.get", "Tally.total.set", "Tally.values",
                "Tally.values.didSet", "Tally.limit", "Tally.limit.willSet", "Tally.subscript(_:)",
                "Tally.subscript(_:).get",
            ]
        )
        #expect(body(source, of: "Tally.count")?.trimmingWhitespace == "values.count")
        #expect(body(source, of: "Tally.total.set")?.trimmingWhitespace == "values = [newTotal]")
    }

    @Test func bindingsInConditionsAreNotProperties() {
        let source = """
            func f(x: Int?) {
                if var x { x += 1 }
                guard var y = x else { return }
                while var z = next() { z += 1 }
                for var item in items { item += 1 }
                var local: Int { 3 }
            }
            """
        #expect(names(source) == ["f(x:)", "f(x:).local"])
    }

    @Test func memberInitCallsAreNotDeclarations() {
        let source = """
            struct S {
                init(a: Int) { self.init(b: a) }
                func g() -> S { S.init(a: 1) }
                func h() -> S { .init(a: 2) }
            }
            """
        #expect(names(source) == ["S", "S.init(a:)", "S.g()", "S.h()"])
    }

    @Test func nestedDeclarationsGetTheirScope() {
        let source = """
            extension Lab.Runner where T: Equatable {
                func run() {
                    func helper() -> Int { 1 }
                    struct Local { func inner() { } }
                    let closure = { func inClosure() { } }
                }
                enum Mode: String { case a; var label: String { rawValue } }
            }
            actor Counter { func add() { } }
            let actor = Counter()
            """
        #expect(
            names(source) == [
                "Lab.Runner", "Lab.Runner.run()", "Lab.Runner.run().helper()", "Lab.Runner.run().Local",
                "Lab.Runner.run().Local.inner()", "Lab.Runner.run().inClosure()", "Lab.Runner.Mode",
                "Lab.Runner.Mode.label",
                "Counter", "Counter.add()",
            ]
        )
    }

    @Test func bodiesAreExactlyBetweenTheBraces() {
        let source = SwiftSource("func f() {\n    // } not the end\n    let s = \"}\"\n}\nfunc g() {}")
        let bodies = source.declarations.map { source.text($0.body) }
        #expect(bodies == ["\n    // } not the end\n    let s = \"}\"\n", ""])
    }

    @Test func headersIgnoreFormatting() {
        let one = SwiftSource("func f(a: Int,\n       b: Int) -> Int { 0 }").declarations.first?.header
        let other = SwiftSource("func f(a: Int, b: Int) -> Int /* why */ { 1 }").declarations.first?.header
        #expect(one == "func f(a: Int, b: Int) -> Int")
        #expect(one == other)
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
