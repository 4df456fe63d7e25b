import Foundation

func lab1Tour(_ tour: Tour) throws {
    tour.section("Lab 1 · OO greeting", "Two Human objects greet each other, as on the lecture's slide.")
    try tour.run("lab1-greeting", [])
    try tour.run("lab1-greeting", ["--asker", "Lee, Mong", "--answerer", "Park, Jimin", "--answerer-age", "31"])
}

func lab2Tour(_ tour: Tour) throws {
    tour.section("Lab 2 · Networked greeting", "The same dialogue, with the answering person as a TCP server.")
    let port = try tour.startServer("lab2-greeting-server")
    try tour.run("lab2-greeting-client", ["--port", String(port)])
    tour.note("two messages in one send arrive in one recv: the server cannot tell them apart")
    try tour.run("lab2-greeting-client", ["--port", String(port), "--together"], expectFailure: true)
}

func lab3Tour(_ tour: Tour) throws {
    tour.section(
        "Lab 3 · Blocking echo",
        "The lecture's echo server and client; then Python as a client, UDP, and a Unix domain socket."
    )
    let port = try tour.startServer("lab3-echo-server")
    try tour.run("lab3-echo-client", ["--port", String(port), "Hello, world"])
    try tour.run("lab3-echo-client", ["--port", String(port)], input: "one line\nand another\n")
    try tour.runPeer(
        "python3",
        [
            "-c",
            """
            import socket
            with socket.create_connection(('127.0.0.1', \(port))) as s:
                s.sendall(b'from Python'); print('Received', repr(s.recv(1024)))
            """,
        ],
        shownAs: "python3 -c \"…s.sendall(b'from Python'); print('Received', repr(s.recv(1024)))\""
    )
    let udp = try tour.startServer("lab3-echo-server", ["--udp"])
    try tour.run("lab3-echo-client", ["--udp", "--port", String(udp), "a datagram"])
    tour.note(
        "a Unix domain socket: the same echo, at a path instead of a port; the server removes its file when it stops"
    )
    let path = NSTemporaryDirectory() + "labdemo-echo-\(getpid()).sock"
    try tour.startInBackground("lab3-echo-server", ["--unix", path], until: "listening on ")
    try tour.run("lab3-echo-client", ["--unix", path, "over a Unix socket"])
}
