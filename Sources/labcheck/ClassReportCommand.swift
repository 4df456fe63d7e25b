import ArgumentParser
import Foundation
import LabCheckKit
import LabSupport

/// `make class-report DIR=results/ [OUT=report/]`: where the class is stuck, from a folder of the kit's JSON
/// results (one per student, named after the student).
struct ClassReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "class-report",
        abstract:
            "A class's results as a CSV, a heatmap and the steps that fail most (make class-report DIR=results/ [OUT=report/])."
    )

    @Option(help: "The folder of results: one file per student, student.json, written by make grade FORMAT=json.")
    var dir: String

    @Option(help: "Where to write class.csv and class-heatmap.svg.")
    var out = "report"

    func validate() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isFolder), isFolder.boolValue else {
            throw Failure(
                "DIR=\(dir) is not a folder: give the folder of the students' results (make grade FORMAT=json OUT=results/NAME.json)"
            )
        }
    }

    func run() throws {
        let report = try ClassReport(folder: dir)
        guard !report.students.isEmpty else {
            print(report.summary(folder: dir, files: []))
            throw Failure(
                "no results could be read from \(dir): it needs files NAME.json written by make grade FORMAT=json"
            )
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let csv = out + "/class.csv"
        let svg = out + "/class-heatmap.svg"
        try Data(report.csv.utf8).write(to: URL(fileURLWithPath: csv), options: .atomic)
        try Data(report.heatmapSVG.utf8).write(to: URL(fileURLWithPath: svg), options: .atomic)
        print(report.summary(folder: dir, files: [csv + " (a row per student and step)", svg]))
    }
}
