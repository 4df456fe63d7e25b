import Foundation
import LabCheckKit
import TestSupport
import Testing

/// Lab 6's transcripts tell only the truth: the bot is stopped before the sandbox it talks to (so no step shows
/// errors the checker caused), and the runs the check makes go wrong on purpose say so.
@Suite struct Lab6TranscriptTests {
    func transcript(ofStep step: Int) throws -> String {
        let lab = try #require(Lab.numbered(6))
        let transcript = Transcript()
        let results = LabRunner(lab: lab, binDirectory: try productsDirectory(), solution: true)
            .run(only: step, transcript: transcript)
        #expect(results.first?.passed == true, "\(String(describing: results.first?.outcome))")
        return transcript.text
    }

    @Test("the bot stops while its sandbox still answers: it confirms its updates, and no error is the checker's doing")
    func botStopsBeforeItsSandbox() throws {
        let text = try transcript(ofStep: 2)
        #expect(text.contains("stopped; updates before"), "the bot confirmed its last updates:\n\(text)")
        for caused in ["cannot connect to the server", "could not confirm", "getUpdates failed"] {
            #expect(!text.contains(caused), "\(caused):\n\(text)")
        }
    }

    @Test("runs that go wrong on purpose are labelled so")
    func deliberateRunsAreLabelled() throws {
        let text = try transcript(ofStep: 7)
        #expect(text.contains(", deliberately with a wrong token"), "\(text)")
        #expect(text.contains("lab6-telegram-bot-solution (deliberately with a wrong token) stderr:"), "\(text)")
        #expect(text.contains("Error: the Bot API rejected the token"), "its own words, under its label:\n\(text)")
    }
}
