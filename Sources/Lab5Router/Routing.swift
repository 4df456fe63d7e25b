import FrameTypes
import Lab5Given
import Lab5Protocol
import LabSupport

/// The router's side of the protocol: what each frame a client sends makes it do. The router knows who sent every
/// frame (the connection it came from) and where it goes (the name in it).
extension EventLoop {
    func route(_ frame: Frame, from conn: Connection) throws {
        // TODO step 11: before reading the body: SEND, BROADCAST or LIST from a connection without a name →
        //   ERROR not-logged-in.
        // TODO step 6: read the frame as a Message (`try Message(frame)`) and switch on it: PING → PONG with the same
        //   body. (Nothing else yet.)
        // TODO step 8: HELLO → logIn. A frame Message(frame) refuses (a bad name, say): ERROR with the error's `code`
        //   and `description` — the connection stays usable.
        // TODO step 9: SEND → DELIVER "FROM\nTEXT" to the named client (nobody by that name: ERROR no-such-user);
        //   BROADCAST → DELIVER to every other logged-in client; LIST → USERS, the names sorted by their UTF-8 bytes.
        // TODO step 10: BYE → finish the connection.
        // TODO step 11: any other type → ERROR unknown-type (the connection stays usable).
        throw NotImplemented("step 6 — route: answer PING with PONG")
    }

    private func logIn(_ conn: Connection, as name: String) throws {
        // TODO step 8: a connection already logged in → ERROR bad-name; a name already taken → ERROR name-taken;
        //   else remember the name (conn.name, clients[name]), send WELCOME with it, and log "ADDRESS is NAME".
        throw NotImplemented("step 8 — logIn: WELCOME, or name-taken / bad-name")
    }
}
