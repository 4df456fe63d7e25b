import ArgumentParser
import Foundation
import LabDevKit

extension PackageLayout {
    /// The package in the current folder, as `swift package describe` reports it.
    static func described() throws -> PackageLayout {
        let swift = ProcessInfo.processInfo.environment["SWIFT"] ?? "swift"
        let described = try Children.run(swift, ["package", "describe", "--type", "json"], timeout: .seconds(300))
        guard described.termination.succeeded else {
            throw ValidationError("`swift package describe` failed:\n\(described.standardError)")
        }
        return try PackageLayout(describeJSON: Data(described.standardOutput.utf8))
    }
}
