import Foundation
import LabCheckKit
import LabDevKit
import SwiftScanner

/// Every mutant of the chosen labs, found from the package layout and the files alone: a lab's programs (its
/// `Lab` data) name its reference products, `swift package describe` the modules they are built from, and the
/// mirror rule (`Solutions/X` ⇄ `Sources/X`) each module's starter. A new lab, program, file or TODO is covered
/// with no change here.
struct MutantPlan {
    struct Entry {
        let id: Int
        let lab: Lab
        let module: PackageLayout.MirroredModule
        let mutant: Mutant
        /// Where the mutant goes in the tree.
        var referencePath: String { mutant.referencePath }
    }

    struct Stray {
        let lab: Int
        let path: String
        let label: WorkLabel
    }

    var entries: [Entry] = []
    var strays: [Stray] = []
    /// Lab modules whose starter folder is missing.
    var missingStarters: [String] = []

    init(root: URL, labs: [Lab], layout: PackageLayout) throws {
        for lab in labs {
            let products = lab.programs.map { lab.product($0, solution: true) }
            for module in layout.referenceModules(of: products) {
                let starterFolder = root.appendingPathComponent(module.starterFolder)
                guard FileManager.default.fileExists(atPath: starterFolder.path) else {
                    missingStarters.append(module.starterFolder)
                    continue
                }
                let files =
                    ((FileManager.default.enumerator(atPath: starterFolder.path)?.allObjects as? [String]) ?? [])
                    .filter { $0.hasSuffix(".swift") }.sorted()
                for file in files {
                    let starterPath = module.starterFolder + "/" + file
                    let referencePath = module.referenceFolder + "/" + file
                    let starter = try String(contentsOf: root.appendingPathComponent(starterPath), encoding: .utf8)
                    let reference = try? String(contentsOf: root.appendingPathComponent(referencePath), encoding: .utf8)
                    let mirrored = MirroredFile(
                        starterPath: starterPath,
                        starter: starter,
                        referencePath: referencePath,
                        reference: reference,
                        referenceModuleNames: layout.referenceModuleNames
                    )
                    for mutant in mirrored.mutants {
                        entries.append(Entry(id: entries.count + 1, lab: lab, module: module, mutant: mutant))
                    }
                    strays += mirrored.strayTODOs.map { Stray(lab: lab.number, path: starterPath, label: $0) }
                }
            }
        }
    }
}
