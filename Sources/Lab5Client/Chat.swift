import Foundation
import FrameTypes
import Lab5Given
import LabSupport
import SocketKit

/// The chat: what you type goes to the router, what the router sends is printed as it comes. Both wait on one
/// selector (lab 4), so neither the keyboard nor the network holds up the other.
func chat(over router: RouterConnection) throws {
    print(chatHelp)
    // TODO step 3: one Selector(.poll) (poll, not epoll: standard input may be a file, which epoll refuses) watching
    //   router.socket and standard input (register(fileDescriptor: 0, ...)) for .read. In a loop:
    //   - the router is readable: router.receiveMore() (false: the router closed — fine after BYE, else throw
    //     Failure), then print(describe(message)) for every message router.buffered() has;
    //   - the keyboard is readable: FileHandle.standardInput.availableData (one read: readLine() would keep lines in
    //     its own buffer, where the selector cannot see them), cut into lines with Lines; router.send each
    //     command(for: line). After /quit (BYE), or at the end of input (send BYE then), stop watching the keyboard
    //     and wait for the router to close the connection.
    throw NotImplemented("step 3 — chat: the keyboard and the router, on one selector")
}
