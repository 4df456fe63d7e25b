func lab4Tour(_ tour: Tour) throws {
    tour.section(
        "Lab 4 · Multiplexed echo",
        "One thread and a selector serve every client at once; the client opens many connections at once."
    )
    let port = try tour.startServer("lab4-mux-server")
    try tour.run("lab4-mux-client", ["--port", String(port), "--connections", "2"])
    tour.note("a thousand connections at once, each checking its own echo")
    try tour.run(
        "lab4-mux-client",
        ["--port", String(port), "--connections", "1000", "--quiet", "--messages", "ping", "pong"]
    )
}
