import ArgumentParser
import Foundation
import LabCheckKit
import LabSupport
import ProcessKit

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// `make watch LAB=n`: checks the lab again each time one of its files is saved. Shows the score and the first
/// failing step in full; says when a step starts to pass. Enter checks again, `h` shows the next hint, `q` quits.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Check a lab each time you save one of its files (make watch LAB=n)."
    )

    @Option(help: "The lab to watch (1–\(allLabs.count)).")
    var lab: Int

    @OptionGroup var options: ProgramOptions

    @Option(help: "Watch this folder instead of the lab's folders under Sources/ (repeatable).")
    var folder: [String] = []

    @Flag(
        name: .customLong("poll"),
        help: "Look at the files twice a second instead of asking the system (for network and synced folders)."
    )
    var forcePolling = false

    func validate() throws {
        _ = try ProgramOptions.lab(lab)
    }

    func run() throws {
        ChildProcess.stopAllOnInterrupt()
        signal(SIGPIPE, SIG_IGN)
        let lab = try ProgramOptions.lab(self.lab)
        let folders = folder.isEmpty ? lab.sourceFolders() : folder
        let watcher = FileWatcher(folders: folders, method: forcePolling ? .polling : nil)
        let keys = Keyboard()
        var session = WatchSession(lab: lab, options: options, colors: isatty(1) == 1)
        print(
            "Watching \(folders.joined(separator: ", ")) (\(watcher.method.rawValue)) for lab \(lab.number) · \(lab.title)."
        )
        print(
            keys.isInteractive
                ? "Save a file to check again. Enter: check now · h: next hint · q: quit"
                : "Save a file to check again. Ctrl-C: quit"
        )
        session.check(because: nil)
        while true {
            switch wait(for: watcher, keys: keys) {
            case .changed(let files):
                session.check(because: files)
            case .key("q"), .key("Q"), .inputClosed:
                print("Stopped watching.")
                return
            case .key("h"), .key("H"):
                session.showNextHint()
            case .key("\n"), .key("\r"):
                session.check(because: nil)
            case .key:
                continue
            }
        }
    }

    enum Wake {
        case changed([String])
        case key(Character)
        case inputClosed
    }

    /// Waits for a saved file (settled: editors write in several steps) or a key.
    private func wait(for watcher: FileWatcher, keys: Keyboard) -> Wake {
        while true {
            var descriptors: [pollfd] = []
            if keys.isInteractive { descriptors.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            if let inotify = watcher.descriptor {
                descriptors.append(pollfd(fd: inotify, events: Int16(POLLIN), revents: 0))
            }
            let timeout: Int32 = watcher.descriptor == nil ? 500 : -1
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 { continue }  // EINTR
            if keys.isInteractive, descriptors[0].revents != 0 {
                guard let key = keys.read() else { return .inputClosed }
                return .key(key)
            }
            let changed = watcher.changed()
            guard !changed.isEmpty else { continue }
            usleep(150_000)  // let the editor finish writing (a save can be several writes and a rename)
            return .changed(Array(Set(changed + watcher.changed())).sorted())
        }
    }
}

/// One student's watch: the last results, to say what changed, and the hints shown.
struct WatchSession {
    let lab: Lab
    let options: ProgramOptions
    let report: Report
    private var previous: [StepResult] = []

    init(lab: Lab, options: ProgramOptions, colors: Bool) {
        self.lab = lab
        self.options = options
        self.report = Report(colors: colors)
    }

    mutating func check(because files: [String]?) {
        let started = ContinuousClock.now
        let time = Date().formatted(date: .omitted, time: .standard)
        let why =
            files.map { files in
                // An editor's temporary file, written and renamed away, is no news.
                let saved = files.filter { FileManager.default.fileExists(atPath: $0) }
                return saved.isEmpty
                    ? "a file was removed"
                    : "saved " + saved.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
            } ?? "checking"
        print("\n── \(time) · \(why) " + String(repeating: "─", count: max(0, 60 - why.count)))
        if let failure = options.buildPrograms(of: lab) {
            print("\(failure.product) does not compile — the first error:\n" + failure.firstError)
            print("(fix it and save; `make check LAB=\(lab.number)` shows every error)")
            return
        }
        let transcript = Transcript()
        let results = options.runner(for: lab).run(transcript: transcript)
        try? transcript.write(to: options.transcriptPath(for: lab))
        options.recordProgress(results)
        for result in results where result.passed {
            if let before = previous.first(where: { $0.step.number == result.step.number }), !before.passed {
                print(report.line(result, in: lab) + "  ← passes now")
            }
        }
        if let failed = results.first(where: { !$0.passed }) {
            if previous.isEmpty, let last = results.last(where: \.passed) { print(report.line(last, in: lab)) }
            print(report.line(failed, in: lab))
        } else {
            print(
                "Every step of lab \(lab.number) passes."
                    + (Lab.numbered(lab.number + 1).map { " Next: \($0.handout)" } ?? "")
            )
        }
        let seconds = Check.describe(ContinuousClock.now - started)
        print(report.summary(lab, results, transcript: options.transcriptPath(for: lab)) + " · checked in \(seconds)")
        previous = results
    }

    /// The next hint layer of the first step that does not pass.
    func showNextHint() {
        guard let failed = previous.first(where: { !$0.passed }) else {
            print("Every step passes: no hint needed.")
            return
        }
        let progress = StudentProgress(path: options.progressPath)
        print(HintReveal.text(for: failed.step, of: lab, progress: progress, colors: report.colors))
    }
}

/// Single key presses from a terminal (no Enter needed, nothing echoed); the terminal is put back as it was on
/// every way out, Ctrl-C included.
final class Keyboard {
    let isInteractive: Bool

    init() {
        isInteractive = isatty(STDIN_FILENO) == 1
        guard isInteractive else { return }
        var settings = termios()
        tcgetattr(STDIN_FILENO, &settings)
        Keyboard.saved = settings
        settings.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &settings)
        atexit { Keyboard.restore() }  // exit() runs it: a normal end, and Ctrl-C (ChildProcess.stopAllOnInterrupt)
    }

    deinit {
        Keyboard.restore()
    }

    /// The next key, or nil at the end of input.
    func read() -> Character? {
        var byte: UInt8 = 0
        while true {
            #if canImport(Glibc)
            let count = Glibc.read(STDIN_FILENO, &byte, 1)
            #else
            let count = Darwin.read(STDIN_FILENO, &byte, 1)
            #endif
            if count == 1 { return Character(UnicodeScalar(byte)) }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }

    nonisolated(unsafe) private static var saved: termios?

    private static func restore() {
        guard var settings = saved else { return }
        tcsetattr(STDIN_FILENO, TCSANOW, &settings)
    }
}
