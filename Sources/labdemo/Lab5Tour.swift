func lab5Tour(_ tour: Tour) throws {
    tour.section(
        "Lab 5 · Framed protocol",
        "A router relays framed messages between named clients; the greeting's asking person is a DEVS model."
    )
    let port = try tour.startServer("lab5-router", ["--trace"])
    tour.note("the answering person logs in and waits; the asking person runs its model in real time (--trace)")
    try tour.startInBackground("lab5-client", ["--port", String(port), "--answer"], until: "logged in as")
    try tour.run("lab5-client", ["--port", String(port), "--ask", "Kim, Younghee", "--trace"])
    tour.note("asking someone who never answers: the model's deadline, not a hang")
    try tour.startInBackground("lab5-client", ["--port", String(port), "--name", "Lee"], until: "logged in as")
    try tour.run("lab5-client", ["--port", String(port), "--ask", "Lee", "--wait", "1"], expectFailure: true)
    tour.note(
        "the router's receiver model in virtual time: bytes at chosen instants; a frame that stops halfway times out"
    )
    try tour.run(
        "lab5-router",
        ["--simulate", "1:00 05 00 00 00 02 68", "--simulate", "2:69", "--simulate", "3:00 05", "--simulate", "9:eof"]
    )
    tour.note("the asking person's model in virtual time: answers at chosen instants, the same trace every run")
    try tour.run("lab5-client", ["--simulate", "1:My name is Kim, Younghee.", "--simulate", "7:I am 22."])
    tour.note("any language can speak the frame format: Python's struct module is enough")
    try tour.runPeer(
        "python3",
        [
            "-c",
            """
            import socket, struct
            s = socket.create_connection(('127.0.0.1', \(port)))
            s.sendall(struct.pack('!HI', 5, 5) + b'hello'); print(s.recv(100))
            s.sendall(struct.pack('!HI', 0x42, 0)); print(s.recv(100))
            s.sendall(struct.pack('!HI', 2, 0xFFFFFFFF)); print(s.recv(100)); print(s.recv(100))
            """,
        ],
        shownAs: "python3 -c \"…struct.pack('!HI', 5, 5) + b'hello'… (PING; type 0x42; a 4 GiB SEND)\""
    )
}
