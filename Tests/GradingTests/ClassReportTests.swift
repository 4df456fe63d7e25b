import Foundation
import ProcessKit
import TestSupport
import Testing

@testable import LabCheckKit

#if canImport(FoundationXML)
import FoundationXML
#endif

/// make class-report, drawn from results labcheck itself wrote for a few students (and a file it did not).
@Suite struct ClassReportTests {
    /// Grades one "student" with the real labcheck: their programs are `bin`, their progress file (if any) is in
    /// `work`/progress.log. Returns the JSON's path.
    func grade(_ student: String, lab: Int, bin: String, work: String, into results: String) throws -> String {
        let out = results + "/" + student + ".json"
        let graded = try ChildProcess.run(
            try labcheck(),
            ["grade", "--lab", String(lab), "--format", "json", "--out", out, "--bin-dir", bin, "--transcripts", work],
            timeout: .seconds(90)
        )
        try #require(graded.termination.succeeded, "labcheck grade failed: \(graded.standardError)")
        return out
    }

    @Test func theReportOfAClassReadsEveryResultAndLeavesOutWhatIsNotOne() throws {
        let folder = try makeTemporaryDirectory(prefix: "class-report")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let results = folder + "/results"
        let report = folder + "/report"
        var bins: [String] = []
        defer { for bin in bins { try? FileManager.default.removeItem(atPath: bin) } }

        // Ada did lab 1 (the reference's work), failing step 1 twice and reading two hints of step 3 on the way.
        let adaWork = folder + "/ada"
        try write(
            """
            2026-11-30T10:00:00Z lab 1 step 1 failed
            2026-11-30T10:05:00Z lab 1 step 1 failed
            2026-11-30T10:09:00Z lab 1 step 1 passed
            2026-11-30T10:20:00Z lab 1 step 3 hint 2
            2026-11-30T10:30:00Z lab 1 step 3 passed

            """,
            to: adaWork + "/progress.log"
        )
        bins.append(try makeBinDirectory(links: ["lab1-greeting": "lab1-greeting-solution"]))
        let ada = try grade("ada", lab: 1, bin: bins.last!, work: adaWork, into: results)
        // Bo copied the handout's dialogue; Cy handed in the starter; Dee did lab 2 only.
        bins.append(try makeBinDirectory(scripts: ["lab1-greeting": handoutOnlyGreeting]))
        _ = try grade("bo", lab: 1, bin: bins.last!, work: folder + "/bo", into: results)
        bins.append(try makeBinDirectory(links: ["lab1-greeting": "lab1-greeting"]))
        _ = try grade("cy", lab: 1, bin: bins.last!, work: folder + "/cy", into: results)
        bins.append(
            try makeBinDirectory(links: [
                "lab2-greeting-server": "lab2-greeting-server-solution",
                "lab2-greeting-client": "lab2-greeting-client-solution",
            ])
        )
        _ = try grade("dee", lab: 2, bin: bins.last!, work: folder + "/dee", into: results)
        // Files that are not (whole) results of the kit's.
        let whole = try read(ada)
        try write(String(whole.prefix(whole.count / 2)), to: results + "/eve.json")
        try write(#"{"score": 3, "tests": []}"#, to: results + "/fay.json")
        try write("student notes, not a result", to: results + "/notes.txt")

        let made = try ChildProcess.run(
            try labcheck(),
            ["class-report", "--dir", results, "--out", report],
            timeout: .seconds(60)
        )
        try #require(made.termination.succeeded, "class-report failed: \(made.standardOutput)\(made.standardError)")
        let printed = made.standardOutput
        #expect(printed.contains("Read the results of 4 students"), "\(printed)")
        #expect(printed.contains("Left out \(results)/eve.json: not JSON, or cut short"), "\(printed)")
        #expect(printed.contains("Left out \(results)/fay.json: not the kit's JSON"), "\(printed)")
        #expect(!printed.contains("notes.txt"))

        // The steps that failed (a step not run for want of an earlier one is not counted): the held-back variant
        // (Bo and Cy), then Cy's step 1 and Bo's step 4 — fewer than five, since nothing else failed.
        let top = printed.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(". Lab ") }
        #expect(top.count == 3, "\(printed)")
        #expect(
            top.first?.contains("1. Lab 1 step 4 (held back) · ") == true
                && top.first?.contains("failed for 2 of 3 (67%)") == true,
            "\(printed)"
        )
        #expect(
            top.dropFirst().map { $0.contains("Lab 1 step 1 · ") && $0.contains("failed for 1 of 3") } == [
                true, false,
            ],
            "\(printed)"
        )
        #expect(top.last?.contains("3. Lab 1 step 4 · ") == true, "\(printed)")
        #expect(
            printed.contains("with: line 1 of `lab1-greeting --asker 'Lee, Mong'"),
            "the message Bo's step 4 failed with: \(printed)"
        )
        #expect(printed.contains("with: not implemented: step 1 — Human.init"), "Cy's step 1: \(printed)")
        #expect(
            printed.contains("each differently, e.g.: line 1 of `lab1-greeting"),
            "the held-back variant's drawn names: \(printed)"
        )

        // The CSV: a row per student and step, Ada's attempts and hints from her progress file.
        let rows = try read(report + "/class.csv").split(separator: "\r\n").map(String.init)
        #expect(
            rows.first
                == "student,lab,step,held_back,title,status,passed,points,score,seconds,attempts,hints,cause,message"
        )
        let lab1Rows = 4 + 1  // four public steps and one held-back variant
        let lab2Rows = try #require(Lab.numbered(2)).steps.count + (try lab2HeldBackCount())
        #expect(rows.count == 1 + 3 * lab1Rows + lab2Rows)
        let adaStep1 = try #require(rows.first { $0.hasPrefix("ada,1,1,0,") })
        #expect(adaStep1.contains(",passed,1,1,1,") && adaStep1.hasSuffix(",2,0,,"), "\(adaStep1)")
        let adaStep3 = try #require(rows.first { $0.hasPrefix("ada,1,3,0,") })
        #expect(adaStep3.hasSuffix(",0,2,,"), "\(adaStep3)")
        let adaHeldBack = try #require(rows.first { $0.hasPrefix("ada,1,4,1,") })
        #expect(
            adaHeldBack.contains(",passed,") && adaHeldBack.hasSuffix(",,,,"),
            "a held-back step has no attempts: \(adaHeldBack)"
        )
        let boStep4 = try #require(rows.first { $0.hasPrefix("bo,1,4,0,") })
        #expect(
            boStep4.contains(",failed,0,") && boStep4.contains(",,,check,"),
            "no progress file, so no attempts: \(boStep4)"
        )
        #expect(rows.filter { $0.hasPrefix("cy,") }.allSatisfy { !$0.contains(",passed,") })

        // The heatmap: a cell per student and step (pale where a student's results lack the lab), and the class row.
        let svg = try read(report + "/class-heatmap.svg")
        let cells = try SVGCells(svg)
        let steps = lab1Rows + lab2Rows
        #expect(cells.titles.count == 4 * steps + steps, "four students and the class row")
        #expect(cells.titles.contains { $0.hasPrefix("bo · Lab 1 step 4 (held back): failed — ") })
        #expect(cells.titles.contains { $0.hasPrefix("ada · Lab 1 step 1: passed; 2 failed checks before passing") })
        #expect(cells.titles.contains("dee · Lab 1 step 1: not graded"))
        #expect(cells.titles.contains("cy · Lab 1 step 2: not run"))
        #expect(cells.titles.contains("Lab 1 step 4: passed by 1 of 3"))
    }

    func lab2HeldBackCount() throws -> Int {
        // Held-back variants are whatever HeldBackChecks declares for lab 2 (none yet, or some): read from a real run.
        let folder = try makeTemporaryDirectory(prefix: "class-report-lab2")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bin = try makeBinDirectory()
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let json = try jsonObject(try read(try grade("x", lab: 2, bin: bin, work: folder, into: folder)))
        return (json["steps"] as? [[String: Any]] ?? []).filter { $0["held_back"] as? Bool == true }.count
    }

    @Test func aStepCutShortIsNamedAndTheFileLeftOut() throws {
        let partial =
            #"{"version": 1, "steps": [{"lab": 1, "step": 1, "held_back": false, "title": "t", "points": 1, "score": 1, "seconds": 0.1}]}"#
        do {
            _ = try ClassReport.entries(of: "x", from: Data(partial.utf8))
            Issue.record("a step without a status was read")
        } catch {
            #expect(ClassReport.reason(error) == "partial: steps[0] has no \"status\"")
        }
    }

    @Test func csvFieldsAreQuotedWhereTheyMustBe() {
        #expect(ClassReport.csvField("plain") == "plain")
        #expect(ClassReport.csvField("Lee, Mong") == "\"Lee, Mong\"")
        #expect(ClassReport.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
    }
}

/// The `<title>` of every cell (`rect`) of a heatmap, read by an XML parser: the file must be well-formed.
final class SVGCells: NSObject, XMLParserDelegate {
    private(set) var titles: [String] = []
    private var inCell = false
    private var text = ""
    private var depth: [String] = []

    init(_ svg: String) throws {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        try #require(parser.parse(), "the SVG is not well-formed XML: \(String(describing: parser.parserError))")
    }

    func parser(
        _ parser: XMLParser,
        didStartElement name: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if name == "title" && depth.last == "rect" {
            inCell = true
            text = ""
        }
        depth.append(name)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inCell { text += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        depth.removeLast()
        if name == "title" && inCell {
            titles.append(text)
            inCell = false
        }
    }
}
