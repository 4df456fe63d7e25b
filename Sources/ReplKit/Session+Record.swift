import Foundation
import LabSupport
import SocketKit

// `record` and `save`: a conversation tried by hand becomes a check of the student's own. `save` writes it under
// the lab's folder, `Labs/NN-…/my-checks/NAME.repl`, as a labrepl script whose header says which program it talks
// to; `make check LAB=n` starts that program and runs the script after the lab's steps (LabCheckKit's OwnChecks).

extension CommandGroup {
    static var recording: CommandGroup {
        CommandGroup(
            "Checks of your own (a conversation tried by hand becomes a test)",
            placeholders: [
                Placeholder(
                    "CHECK",
                    "the check's name, as a file name: echo-twice (saved as my-checks/echo-twice.repl)"
                ),
                Placeholder("LAB", "a lab's number: 1–6"),
                Placeholder(
                    "PROGRAM",
                    "a lab program, as make run names it: echo-server, echo-client, router, telegram-bot"
                ),
            ],
            commands: [
                Command(
                    usage: "record",
                    summary: "start keeping what you send and what arrives, for save",
                    details:
                        "From now on every connect, listen, send, close and tg command is kept, with what arrived.\nPeers already open are kept as if opened now. record again starts afresh.",
                    example: "record"
                ) { session, _ in
                    session.startRecording()
                },
                Command(
                    usage: "save CHECK [for lab LAB [PROGRAM]]",
                    summary: "write the recording as a check of your own: make check LAB=n runs it",
                    details: """
                        Writes Labs/NN-…/my-checks/CHECK.repl: your commands, and an expect for everything that arrived
                        (ports and Telegram ids left out). Its header names the program it talked to, which make check
                        starts (on a port of its own) before running it. labrepl finds that program itself on Linux;
                        elsewhere, or for a program it cannot see, say which: save CHECK for lab 3 echo-server.
                        Recording goes on: save again, under another name, to keep a longer conversation too.
                        """,
                    example: "save echo-twice"
                ) { session, arguments in
                    try session.save(
                        arguments["CHECK"]!,
                        lab: arguments.integer("LAB", in: 1...99, meaning: "a lab's number"),
                        program: arguments["PROGRAM"]
                    )
                },
            ]
        )
    }
}

extension Session {
    func startRecording() {
        let recorder = Recorder()
        if framing.name != framings[0].name { recorder.append(.mode(framing.name)) }
        // Open peers come first, as if opened now: a listener before the connections it accepted.
        for peer in peers where peer.isOpen {
            switch peer.role {
            case .listener: recordListening(peer, in: recorder)
            case .outgoing: recordConnected(peer, host: "127.0.0.1", in: recorder)
            case .accepted(let listener): recordAccepted(peer, by: listener, in: recorder)
            }
        }
        if let user = telegram { recordTelegramConnected(user, in: recorder) }
        recording = recorder
        let already = recorder.isEmpty ? "" : " (the peers open now are kept as if opened now)"
        console.show(
            "recording: what you send and what arrives is kept\(already) — save CHECK writes it as a check of your own",
            as: .output
        )
    }

    // MARK: What the peer commands report

    /// A connection made with `connect`: the program listening on its port is the one the check talks to.
    func recordConnected(_ peer: Peer, host: String, in recorder: Recorder? = nil) {
        guard let recorder = recorder ?? recording else { return }
        if peer.address.hasPrefix("unix:") {
            let path = String(peer.address.dropFirst(5))
            recorder.append(.connectedUnix(peer: peer.name, path: path))
            recorder.note(ProgramFinder.listening(onUnixPath: path), of: peer.name, as: .server)
            return
        }
        let local = (try? peer.socket.getSockName().port) ?? 0
        let remote = (try? peer.socket.getPeerName().port) ?? 0
        recorder.notePorts(local, remote)
        recorder.append(.connected(peer: peer.name, host: host))
        recorder.note(ProgramFinder.listening(onPort: remote), of: peer.name, as: .server)
    }

    func recordListening(_ peer: Peer, in recorder: Recorder? = nil) {
        guard let recorder = recorder ?? recording else { return }
        if peer.address.hasPrefix("unix:") {
            recorder.append(.listeningUnix(peer: peer.name, path: String(peer.address.dropFirst(5))))
            return
        }
        recorder.notePorts((try? peer.socket.getSockName().port) ?? 0)
        let host = (try? peer.socket.getSockName().host).flatMap { $0 == "127.0.0.1" ? nil : $0 }
        recorder.append(.listening(peer: peer.name, host: host))
    }

    /// A client a listener accepted: the program that connected is the one the check waits for.
    func recordAccepted(_ peer: Peer, by listener: String, in recorder: Recorder? = nil) {
        guard let recorder = recorder ?? recording else { return }
        recorder.append(.accepted(peer: peer.name, listener: listener))
        guard let local = try? peer.socket.getSockName(), local.family != .unix,
            let remote = try? peer.socket.getPeerName()
        else { return }
        recorder.notePorts(local.port, remote.port)
        recorder.note(ProgramFinder.connected(from: remote.port, to: local.port), of: peer.name, as: .client)
    }

    func recordTelegramConnected(_ user: TelegramUser, in recorder: Recorder? = nil) {
        guard let recorder = recorder ?? recording else { return }
        recorder.append(.telegramConnected(user: user.userID, firstName: user.firstName))
        recorder.note(ProgramFinder.running(lab: 6) ?? LabProgram.telegramBot, of: "@bot", as: .bot)
    }

    // MARK: Saving

    func save(_ requested: String, lab: Int?, program named: String?) throws {
        guard let recorder = recording else {
            throw ReplError(
                "save: nothing is being recorded — type record first, then talk to your program, then save \(requested)"
            )
        }
        guard !recorder.isEmpty else {
            throw ReplError(
                "save: nothing recorded yet — connect (or listen, or tg connect) and talk to your program first"
            )
        }
        let name = requested.hasSuffix(".repl") ? String(requested.dropLast(5)) : requested
        guard let first = name.first, first.isLetter || first.isNumber, name.count <= 64,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else {
            throw ReplError(
                "save: \(asTyped(requested)) cannot be a check's name — use letters, digits, - _ and ., as in echo-twice"
            )
        }
        let (program, role) = try checkedProgram(of: recorder, lab: lab, named: named)
        let folder = try myChecksFolder(lab: program.lab)
        let path = "\(folder)/\(name).repl"
        let (body, files) = recorder.scriptLines(framings: framings, filePrefix: "\(folder)/\(name)")
        let onDisk = { (path: String) in self.kitDirectory == "." ? path : self.kitDirectory + "/" + path }
        let text = header(program: program, role: role, path: path, started: recorder.started) + body
        let existed = FileManager.default.fileExists(atPath: onDisk(path))
        do {
            try FileManager.default.createDirectory(atPath: onDisk(folder), withIntermediateDirectories: true)
            for (file, bytes) in files {
                try Data(bytes).write(to: URL(fileURLWithPath: onDisk(file)), options: .atomic)
            }
            try Data((text.joined(separator: "\n") + "\n").utf8).write(
                to: URL(fileURLWithPath: onDisk(path)),
                options: .atomic
            )
        } catch {
            throw ReplError("save: cannot write \(path): \(error.localizedDescription)")
        }
        let expects = body.filter { $0.hasPrefix("expect ") || $0.hasPrefix("tg expect ") }.count
        let what = "\(program.name) of lab \(program.lab)"
        console.show(
            "saved \(path)\(existed ? " (replacing the one saved before)" : ""): \(body.count) commands, \(expects) of them expect what arrived, against \(what) — make check LAB=\(program.lab) runs it after the lab's steps",
            as: .output
        )
    }

    /// The one program the recording talked to, and how: the one labrepl found, or the one the student named.
    private func checkedProgram(of recorder: Recorder, lab: Int?, named: String?) throws -> (LabProgram, Recorder.Role)
    {
        let found = recorder.programs
        var distinct: [(program: LabProgram, role: Recorder.Role)] = []
        for entry in found
        where !distinct.contains(where: { $0.program.name == entry.program.name && $0.program.lab == entry.program.lab }
        ) {
            distinct.append((entry.program, entry.role))
        }
        let sayIt =
            "say which: save CHECK for lab \(lab.map(String.init) ?? "3") "
            + (lab == nil || lab == 3 ? "echo-server" : "PROGRAM")
        // The usage takes a program only after a lab.
        if let named, let lab {
            let arguments =
                distinct.first { $0.program.name == named && $0.program.lab == lab }?.program.arguments ?? []
            return (LabProgram(lab: lab, name: named, arguments: arguments), try role(of: recorder, found: distinct))
        }
        guard distinct.count <= 1 else {
            let names = distinct.map { "\($0.program.name) (lab \($0.program.lab))" }.joined(separator: " and ")
            throw ReplError(
                "save: this recording talked to \(names) — a check of your own tries one program: record each conversation on its own"
            )
        }
        guard let only = distinct.first else {
            let why =
                ProgramFinder.canLook
                ? "labrepl found no lab program at the other end (was it started with make run, and still running when you connected?)"
                : "labrepl cannot see which program is at the other end on this system"
            throw ReplError("save: \(why) — \(sayIt)")
        }
        if let lab, lab != only.program.lab {
            throw ReplError(
                "save: this recording talked to \(only.program.name), a program of lab \(only.program.lab), not lab \(lab) — save CHECK for lab \(only.program.lab)"
            )
        }
        return only
    }

    /// How the check meets its program, from what the recording did: a `listen` waits for a client, a `tg` command
    /// talks to a bot, a `connect` reaches a server.
    private func role(
        of recorder: Recorder,
        found: [(program: LabProgram, role: Recorder.Role)]
    ) throws -> Recorder.Role {
        if let role = found.first?.role { return role }
        for entry in recorder.entries {
            switch entry {
            case .connected, .connectedUnix: return .server
            case .listening, .listeningUnix, .accepted: return .client
            case .telegramConnected: return .bot
            default: continue
            }
        }
        throw ReplError("save: the recording opened no connection — connect, listen or tg connect first")
    }

    /// `Labs/03-blocking-echo/my-checks`: under the lab's handout folder, which the student owns.
    private func myChecksFolder(lab: Int) throws -> String {
        guard let labs = try? FileManager.default.contentsOfDirectory(atPath: kitDirectory + "/Labs") else {
            throw ReplError(
                "save: there is no Labs folder here — start labrepl in the kit's folder (make repl), where the checks look for it"
            )
        }
        let prefix = (lab < 10 ? "0" : "") + "\(lab)-"
        guard let folder = labs.sorted().first(where: { $0.hasPrefix(prefix) }) else {
            throw ReplError(
                "save: there is no lab \(lab) under Labs/ — the labs are \(labs.filter { $0.first?.isNumber == true }.sorted().joined(separator: ", "))"
            )
        }
        return "Labs/\(folder)/my-checks"
    }

    /// The comment lines that say what the check needs, in the words `make check` reads (OwnChecks in LabCheckKit):
    /// `# needs:` lines are started before the script, `# then:` lines once it listens.
    private func header(program: LabProgram, role: Recorder.Role, path: String, started: Date) -> [String] {
        let stamp = ISO8601DateFormatter.string(
            from: started,
            timeZone: .current,
            formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        )
        var run = "make run LAB=\(program.lab) PROG=\(program.name)"
        if !program.arguments.isEmpty {
            run += " ARGS=" + makeQuoted(program.arguments.map(shellQuoted).joined(separator: " "))
        }
        let script = "make repl ARGS=\"--script \(path)\""
        var lines = [
            "# A check of your own, recorded with labrepl on \(stamp): make check LAB=\(program.lab) runs it after the lab's steps (not scored)."
        ]
        switch role {
        case .server:
            lines += ["# needs: \(run)", "# By hand: the needs line in one terminal, then in another: \(script)"]
        case .client:
            lines += [
                "# then: \(run)", "# By hand: \(script) in one terminal; once it listens, the then line in another.",
            ]
        case .bot:
            lines += [
                "# needs: make sandbox", "# needs: \(run)",
                "# By hand: each needs line in a terminal of its own (the bot with the TELEGRAM_API_URL and TELEGRAM_BOT_TOKEN that make sandbox prints), then: \(script)",
            ]
        }
        if role != .bot {
            lines.append(
                "# \(Recorder.lecturePort) is the lecture's port, where make run's programs meet; make check gives each run a free port instead."
            )
        }
        return lines
    }
}

/// A make variable's value in double quotes, as a shell reads it: `\\`, `"`, `$` and backquotes escaped (and `$`
/// doubled, for make).
