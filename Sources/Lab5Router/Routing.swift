import FrameKit
import Lab5Protocol
import LabSupport

/// The router's side of the protocol: what each frame a client sends makes it do. The router knows who sent every
/// frame (the connection it came from) and where it goes (the name in it).
extension EventLoop {
    func route(_ frame: Frame, from conn: Connection) throws {
        // TODO step 5: before reading the body: SEND, BROADCAST or LIST from a connection without a name →
        //   ERROR not-logged-in.
        // TODO step 3: read the frame as a Message (`try Message(frame)`; its error's `code` is the ERROR to send
        //   back). HELLO → logIn; PING → PONG with the same body.
        // TODO step 4: SEND → DELIVER "FROM\nTEXT" to the named client (nobody by that name: ERROR no-such-user);
        //   BROADCAST → DELIVER to every other logged-in client; LIST → USERS, the names sorted by their UTF-8 bytes;
        //   BYE → finish the connection.
        // TODO step 5: any other type → ERROR unknown-type (the connection stays usable).
        throw NotImplemented("step 3 — route: answer HELLO with WELCOME, PING with PONG")
    }

    private func logIn(_ conn: Connection, as name: String) throws {
        // TODO step 3: a name already taken → ERROR name-taken; a connection already logged in → ERROR bad-name;
        //   else remember the name (conn.name, clients[name]), send WELCOME with it, and log "ADDRESS is NAME".
    }
}
