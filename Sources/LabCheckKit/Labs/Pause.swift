import ProcessKit

extension Program {
    /// For the `--pause` steps of labs 2 and 3: waits until the program has printed "Press enter to proceed" for the
    /// `count`th time and is blocked — reading the Enter key, if it does what it says. Whatever it would send without
    /// waiting has been sent by then, so silence on its connection afterwards means it waits, not that it is slow.
    func waitForPausePrompt(_ count: Int = 1, before what: String) throws {
        let prompt = "Press enter to proceed"
        let printed = process.waitUntil(timeout: Check.replyTimeout) { output, _ in
            String(decoding: output, as: UTF8.self).components(separatedBy: prompt).count - 1 >= count
        }
        guard printed else {
            throw CheckFailure(
                "\(name) did not print \(quoted(prompt))\(count > 1 ? " a \(ordinal(count)) time" : "") before \(what)"
                    + " — with --pause, does it call pressEnterToProceed() before each send?"
                    + (output.isEmpty ? "" : "; its output so far:\n" + indented(lastLines(output)))
            )
        }
        _ = process.waitUntilWaiting(timeout: Check.replyTimeout)
    }
}

private func ordinal(_ number: Int) -> String {
    [2: "second", 3: "third"][number] ?? "\(number)th"
}
