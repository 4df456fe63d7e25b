import FrameTypes
import Lab5Given
import Lab5Protocol
import LabSupport

/// The router's side of the protocol: what each frame a client sends makes it do. The router knows who sent every
/// frame (the connection it came from) and where it goes (the name in it).
extension EventLoop {
    func route(_ frame: Frame, from conn: Connection) throws {
        // TODO step 6: read the frame as a Message (`try Message(frame)`) and switch on it: PING → PONG with the same
        //   body. Every other message, for now: nothing (`default: break`).
        // TODO step 8: HELLO → logIn. A frame Message(frame) refuses (a bad name, say): ERROR with the error's `code`
        //   and `description` — the connection stays usable.
        // TODO step 9: SEND, BROADCAST and LIST → relay(_:from:).
        // TODO step 10: BYE → finish the connection.
        // TODO step 11: first of all, before the body is read: if refusal(of:from:) has an ERROR for this frame, send
        //   that instead.
        throw NotImplemented("step 6 — route: answer PING with PONG")
    }

    /// What the router refuses from a frame's type alone, before it reads the body: SEND, BROADCAST and LIST from a
    /// connection without a name (they need one to send from), and every type a client does not send.
    private func refusal(of frame: Frame, from conn: Connection) -> Message? {
        // TODO step 11: SEND, BROADCAST or LIST from a connection without a name → ERROR not-logged-in (even a SEND
        //   whose body has no newline); HELLO, PING and BYE → nil; any other type → ERROR unknown-type (the router's
        //   own types, WELCOME to ERROR, and types not in the protocol alike).
        nil
    }

    private func logIn(_ conn: Connection, as name: String) throws {
        // TODO step 8: a connection already logged in → ERROR bad-name; a name already taken → ERROR name-taken;
        //   else remember the name (conn.name, clients[name]), send WELCOME with it, and log "ADDRESS is NAME".
        throw NotImplemented("step 8 — logIn: WELCOME, or name-taken / bad-name")
    }

    /// SEND and BROADCAST go to their recipients as DELIVER, from the name of the connection they came from; LIST is
    /// answered with everyone who can be reached.
    private func relay(_ message: Message, from conn: Connection) throws {
        // TODO step 9: the sender is conn.name. SEND → DELIVER "FROM\nTEXT" to the named client (nobody by that name:
        //   ERROR no-such-user); BROADCAST → DELIVER to every other logged-in client; LIST → USERS, the names sorted
        //   by their UTF-8 bytes.
        throw NotImplemented("step 9 — relay: SEND, BROADCAST and LIST")
    }
}
