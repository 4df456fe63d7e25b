// The command table. Each command is declared once, here: usage, help, example and what it does.

extension CommandGroup {
    /// The groups of a session, in help order. `set mode` offers the given framings. A new area of commands is one
    /// more group, like lab 6's Telegram user (`telegram`, in Telegram.swift).
    public static func standard(framings: [any Framing] = Framings.standard) -> [CommandGroup] {
        [peers, sending, receiving, telegram, recording, settings(framings: framings), session]
    }

    static let commonPlaceholders = [
        Placeholder("HOST", "a host name or IP address: 127.0.0.1, localhost, ::1"),
        Placeholder("PORT", "a TCP port: 1–65535 (listen also takes 0: any free port, printed)"),
        Placeholder("NAME", "a name for the new peer: a-z, A-Z, digits, . _ and -, starting with a letter"),
        Placeholder(
            "PEER",
            "a peer's name as peers lists it (Tab completes it); left out: the current peer",
            completion: .peerNames
        ),
        Placeholder("TEXT", #"text; escapes: \n \r \t \0 \\ \" \xHH; "double quotes" keep spaces at the ends"#),
        Placeholder("HEX", "bytes in hex, two digits each: 48 69 0a, or 48690a"),
        Placeholder(
            "PATH",
            "a file (relative to the folder labrepl was started in); unix:PATH, a Unix socket's file",
            completion: .files
        ),
        Placeholder(
            "LISTENER",
            "a listener's name, as peers lists it; left out: the current peer if it is a listener, or the only one",
            completion: .peerNames
        ),
        Placeholder("N", "a number of bytes"),
        Placeholder("SECONDS", "how long to wait (default 5; fractions allowed); Ctrl-C stops waiting sooner"),
        Placeholder("COMMAND", "a command's name", completion: .commandNames),
        Placeholder(
            "PART",
            "a part of a command, as help COMMAND lists them: connect in help tg connect",
            completion: .partNames
        ),
        Placeholder(
            "TYPE",
            "a lab 5 frame type, by name (HELLO, SEND, LIST, …) or number (0x0042)",
            completion: .words(FrameKitFraming.typeNames)
        ),
        Placeholder("BODY", #"the frame's body, as TEXT (escapes: \n \xHH …)"#),
    ]

    static var peers: CommandGroup {
        CommandGroup(
            "Peers",
            placeholders: commonPlaceholders,
            commands: [
                Command(
                    usage: "connect HOST PORT [as NAME]",
                    "connect unix:PATH [as NAME]",
                    summary: "open a TCP connection (or unix:PATH); it becomes the current peer",
                    details:
                        "Plays the client: the server's accept() returns when this connects. Without a name the\nconnection is called c (then c2, c3, …). unix:PATH connects to a Unix domain socket's file.",
                    example: "connect 127.0.0.1 65432 as echo",
                    "connect unix:/tmp/echo.sock"
                ) { session, arguments in
                    if let path = arguments["PATH"] {
                        return try session.connect(unixPath: path, name: arguments["NAME"])
                    }
                    try session.connect(
                        host: arguments["HOST"]!,
                        port: arguments.integer("PORT", in: 1...65535, meaning: "the server's port")!,
                        name: arguments["NAME"]
                    )
                },
                Command(
                    usage: "listen PORT [as NAME]",
                    "listen HOST PORT [as NAME]",
                    "listen unix:PATH [as NAME]",
                    summary: "wait for clients on 127.0.0.1 (or HOST, or unix:PATH); each becomes a peer: l.1, l.2, …",
                    details:
                        "Plays the server: bind, listen, and accept every client as it comes, naming it after the\nlistener. A new connection becomes the current peer unless a live connection already is.\nPort 0 takes any free port and prints it. HOST: ::1 for IPv6's loopback, :: or 0.0.0.0 for\nevery address of this machine. unix:PATH listens on a Unix domain socket: a stale\nfile there (its server gone) is removed first, and the listener's own file when it closes.",
                    example: "listen 65432",
                    "listen ::1 65432",
                    "listen unix:/tmp/echo.sock"
                ) { session, arguments in
                    if let path = arguments["PATH"] {
                        return try session.listen(unixPath: path, name: arguments["NAME"])
                    }
                    try session.listen(
                        host: arguments["HOST"] ?? "127.0.0.1",
                        port: arguments.integer("PORT", in: 0...65535, meaning: "the port to listen on")!,
                        name: arguments["NAME"]
                    )
                },
                Command(
                    usage: "accept [LISTENER] [timeout SECONDS]",
                    summary: "wait for a listener's next client; it becomes the current peer",
                    details:
                        "Clients are accepted as they come; accept waits until there is one that no accept has\nreturned and nothing has been sent to yet, and makes it current — how a script that plays\nthe server waits for your client (make run … in another terminal).",
                    example: "accept l timeout 60"
                ) { session, arguments in
                    try session.accept(arguments["LISTENER"], timeout: arguments.seconds("SECONDS"))
                },
                Command(
                    usage: "peers",
                    summary: "list the peers: state, address, bytes in and out (* = current)",
                    example: "peers"
                ) { session, _ in
                    session.console.show(session.peerTable(), as: .output)
                },
                Command(
                    usage: "use PEER",
                    summary: "make PEER current: send, recv and expect go to it",
                    example: "use l.2"
                ) { session, arguments in
                    try session.use(arguments["PEER"]!)
                },
                Command(
                    usage: "close [PEER]",
                    summary: "close a connection, or stop a listener",
                    example: "close echo"
                ) { session, arguments in
                    try session.close(arguments["PEER"])
                },
                Command(
                    usage: "shutdown [PEER] write",
                    summary: "half-close: send end of stream, keep receiving",
                    details:
                        "Python's shutdown(SHUT_WR). The peer's recv() returns b'' while its answers can still reach\nyou: how a client tells an echo server \"that was all\" and still reads the echo.",
                    example: "shutdown write"
                ) { session, arguments in
                    try session.shutdownWrite(arguments["PEER"])
                },
            ]
        )
    }

    static var sending: CommandGroup {
        CommandGroup(
            "Sending (to the current peer)",
            commands: [
                Command(
                    usage: "send TEXT...",
                    summary: "send text exactly as typed (no newline added)",
                    details: #"The lab 2 greeting protocol has no newlines: send what is your name?"#,
                    example: #"send GET / HTTP/1.0\r\n\r\n"#
                ) { session, arguments in
                    try session.send(unescape(arguments["TEXT"]!))
                },
                Command(
                    usage: "sendline [TEXT...]",
                    summary: #"send text and a newline (\r\n after set crlf on)"#,
                    example: "sendline hello"
                ) { session, arguments in
                    try session.send(unescape(arguments["TEXT"] ?? "") + (session.crlf ? [13, 10] : [10]))
                },
                Command(
                    usage: "sendhex HEX...",
                    summary: "send bytes given in hex",
                    example: "sendhex 00 01 ff 0a"
                ) { session, arguments in
                    try session.send(parseHex(arguments["HEX"]!))
                },
                Command(
                    usage: "sendfile PATH",
                    summary: "send a file's bytes",
                    example: "sendfile Labs/03-blocking-echo/README.md"
                ) { session, arguments in
                    try session.sendFile(arguments["PATH"]!)
                },
                Command(
                    usage: "frame TYPE [BODY...]",
                    summary: "send one lab 5 frame (after set mode frames)",
                    example: "frame HELLO Kim"
                ) { session, arguments in
                    try session.send(
                        session.framing.encodeFrame(type: arguments["TYPE"]!, body: unescape(arguments["BODY"] ?? ""))
                    )
                },
            ]
        )
    }

    static var receiving: CommandGroup {
        CommandGroup(
            "Receiving (data is shown as it arrives; these wait for it)",
            commands: [
                Command(
                    usage: "recv [N] [timeout SECONDS]",
                    summary: "wait for new data from the current peer; take up to N bytes",
                    details:
                        "What arrives is always shown at once; recv waits for data that no recv or expect has taken\nyet, and takes it (in frames mode, whole frames: at least one). It fails if nothing comes in\ntime, and returns at end of stream, as Python's recv() returns b''. With a listener current,\nit waits for a client first.",
                    example: "recv timeout 2"
                ) { session, arguments in
                    try session.recv(
                        upTo: arguments.integer("N", in: 1...(1 << 30), meaning: "the most bytes to take"),
                        timeout: arguments.seconds("SECONDS")
                    )
                },
                Command(
                    usage: "expect TEXT... [timeout SECONDS]",
                    summary: "wait until the current peer has sent TEXT, or fail",
                    details:
                        "Takes everything up to the end of TEXT, so a second expect looks further on. In frames mode it\nwaits for a whole frame, matched as shown: its type (expect WELCOME), its body (expect Kim),\nor both (expect WELCOME Kim); it takes the frames up to that one, whole. In a script, a\nfailed expect makes labrepl exit with status 1. With a listener current, it waits for a\nclient first.",
                    example: "expect My name is"
                ) { session, arguments in
                    try session.expect(arguments["TEXT"]!, timeout: arguments.seconds("SECONDS"))
                },
            ]
        )
    }

    static var session: CommandGroup {
        CommandGroup(
            "Session",
            commands: [
                Command(
                    usage: "help [COMMAND [PART]]",
                    summary: "list the commands, or explain one (or one part of one: help tg connect)",
                    example: "help expect"
                ) { session, arguments in
                    let text =
                        try arguments["COMMAND"].map { try session.help(for: $0, part: arguments["PART"]) }
                        ?? session.helpOverview()
                    session.console.show(text, as: .output)
                },
                Command(
                    usage: "quit",
                    aliases: ["exit"],
                    summary: "close every peer and leave (Ctrl-D does the same)",
                    example: "quit"
                ) { session, _ in
                    session.quitRequested = true
                },
            ]
        )
    }

    /// `set`, with one part per setting, built from the settings table and the framings.
    static func settings(framings: [any Framing]) -> CommandGroup {
        let settings = Setting.all(framings: framings)
        let show = Subcommand(usage: "set", summary: "show every setting") { session, _ in
            session.console.show(
                settings.map { "\($0.name) \($0.current(session))" }.joined(separator: "\n"),
                as: .output
            )
        }
        let changes = settings.map { setting in
            let about = setting.about.split(separator: "\n", maxSplits: 1).map(String.init)
            return Subcommand(
                usage: "set \(setting.name) \(setting.values.joined(separator: "|"))",
                summary: about[0],
                details: about.count > 1 ? about[1] : "",
                example: "set \(setting.name) \(setting.example)"
            ) { session, arguments in
                // `set crlf on` types two keywords: the setting's name, then its value.
                try setting.apply(session, arguments.keywords.last!)
                session.console.show("\(setting.name) \(setting.current(session))", as: .output)
            }
        }
        return CommandGroup(
            "Settings",
            commands: [
                Command(summary: "show the settings, or change one", subcommands: [show] + changes)
            ]
        )
    }
}

/// One setting of `set NAME VALUE`: its values, what it does, how to read and change it.
struct Setting {
    let name: String
    let values: [String]
    /// The value `help set NAME` shows in its example.
    let example: String
    /// What it does: one line, then (for `help set NAME`) more if need be.
    let about: String
    let current: (Session) -> String
    let apply: (Session, String) throws -> Void

    static func all(framings: [any Framing]) -> [Setting] {
        [
            Setting(
                name: "crlf",
                values: ["on", "off"],
                example: "on",
                about: #"sendline ends lines with \r\n (as HTTP and SMTP want) instead of \n"#,
                current: { $0.crlf ? "on" : "off" },
                apply: { session, value in session.crlf = value == "on" }
            ),
            Setting(
                name: "hexdump",
                values: ["on", "off"],
                example: "on",
                about: "show data as offset, hex and ASCII columns",
                current: { $0.hexdump ? "on" : "off" },
                apply: { session, value in session.hexdump = value == "on" }
            ),
            Setting(
                name: "mode",
                values: framings.map(\.name),
                example: framings.last!.name,
                about: "how data is cut into messages on screen, and what expect and recv take\n"
                    + framings.map { "  \($0.name.padding(6)) \($0.summary)" }.joined(separator: "\n"),
                current: { $0.framing.name },
                apply: { session, value in try session.setFraming(named: value) }
            ),
        ]
    }
}

extension Session {
    /// `set mode NAME`: what the old decoders still hold is shown, and every connection starts afresh.
    func setFraming(named name: String) throws {
        guard let chosen = framings.first(where: { $0.name == name }) else { return }
        for peer in peers where !peer.isListener {
            flushDecoders(of: peer)
            peer.inbound = chosen.makeDecoder()
            peer.outbound = chosen.makeDecoder()
        }
        framing = chosen
        recording?.append(.mode(chosen.name))
    }
}
