import LabSupport
import SocketKit
import Testing

@testable import ReplKit

/// `accept`: a script that plays the server waits for the client it is about to talk to.
@Suite struct AcceptTests {
    @Test func acceptWaitsForTheNextClientAndMakesItCurrent() throws {
        let console = RecordingConsole()
        let session = Session(console: console)
        defer { session.closeAll() }
        #expect(session.run("listen 0 as srv"))
        let port = try listeningPort(in: console.lines[0])
        #expect(!session.run("accept timeout 0.2"))
        #expect(
            console.errors.last
                == "accept: no client connected to srv within 0.2 s — is the client running? (it connects to 127.0.0.1:\(port))"
        )

        // Two clients come before accept is asked: each accept hands out the next, in the order they came.
        let first = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
        let second = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
        try session.pump(until: { session.peers.count == 3 }, "both accepts")
        #expect(session.run("use srv"))
        #expect(session.run("accept"))
        #expect(session.prompt == "labrepl(srv.1)> ")
        #expect(session.run("accept srv timeout 5"))
        #expect(session.prompt == "labrepl(srv.2)> ")
        #expect(session.run("send to the second"))
        #expect(try second.recv(100) == Array("to the second".utf8))

        // None left: the next accept waits, and a client that comes meanwhile ends the wait.
        #expect(!session.run("accept srv timeout 0.2"))
        let third = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
        #expect(session.run("accept srv timeout 5"))
        #expect(session.prompt == "labrepl(srv.3)> ")
        for socket in [first, second, third] { socket.close() }
    }

    @Test func acceptNamesWhichListenerWhenThereAreSeveral() throws {
        let console = RecordingConsole()
        let session = Session(console: console)
        defer { session.closeAll() }
        #expect(!session.run("accept"))
        #expect(
            console.errors.last
                == "accept: there is no listener — listen PORT first (listen \(lecturePort) plays the lecture's server)"
        )
        #expect(session.run("listen 0 as a"))
        #expect(session.run("listen 0 as b"))
        let port = try listeningPort(in: console.lines[0])
        let client = try Socket.createConnection(("127.0.0.1", port), timeout: 5)
        defer { client.close() }
        try session.pump(until: { session.peers.count == 3 }, "the accept")
        // a.1 became current: neither a listener nor the only one.
        #expect(!session.run("accept"))
        #expect(console.errors.last == "accept: which listener? there are 2: accept a, or accept b")
        #expect(!session.run("accept a.1"))
        #expect(
            console.errors.last
                == "a.1 is not a listener: accept waits for clients of a listener — listen PORT first, or name one: a, b"
        )
        #expect(session.run("accept a"))
    }
}
