import Foundation
import FrameTypes
import Lab5Given
import LabSupport
import SocketKit

/// The chat: what you type goes to the router, what the router sends is printed as it comes. Both wait on one
/// selector (lab 4), so neither the keyboard nor the network holds up the other.
func chat(over router: RouterConnection) throws {
    print(chatHelp)
    enum Source { case router, keyboard }
    // poll, not epoll: standard input may be a file or /dev/null, which epoll refuses.
    let selector = try Selector<Source>(.poll)
    try selector.register(router.socket, events: .read, data: .router)
    try selector.register(fileDescriptor: 0, events: .read, data: .keyboard)
    var typed = Lines()
    var saidBye = false
    while true {
        for (key, _) in try selector.select() {
            switch key.data {
            case .router:
                guard try router.receiveMore() else {
                    if saidBye { return }
                    throw Failure("the router closed the connection")
                }
                while let message = try router.buffered() { print(describe(message)) }
            case .keyboard:
                // One read of what is there: readLine() would keep lines in its own buffer, out of the selector's view.
                let data = FileHandle.standardInput.availableData
                let lines = data.isEmpty ? typed.end() : typed.add(data)
                for line in lines where !saidBye {
                    guard let message = command(for: line) else { continue }
                    try router.send(message)
                    if message == .bye { saidBye = true }
                }
                if data.isEmpty || saidBye {
                    // End of input is a /quit: say BYE, and read what the router still sends until it closes.
                    try selector.unregister(fileDescriptor: 0)
                    if !saidBye { try router.send(.bye) }
                    saidBye = true
                }
            }
        }
    }
}
