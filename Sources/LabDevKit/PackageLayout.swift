import Foundation

/// The package's targets as `swift package describe --type json` reports them: which reference modules make up a
/// lab's programs, where their starter twins are, and which products use each.
///
/// The mirror rule: a reference module at `Solutions/X` has its starter at `Sources/X`, file for file.
public struct PackageLayout: Sendable {
    public struct Target: Sendable, Decodable, Equatable {
        public let name: String
        public let path: String
        public let type: String
        public let productMemberships: [String]?

        enum CodingKeys: String, CodingKey {
            case name, path, type
            case productMemberships = "product_memberships"
        }
    }

    /// A reference module and its starter twin.
    public struct MirroredModule: Sendable, Equatable {
        /// `Lab5ProtocolSolution`.
        public let name: String
        /// `Solutions/Lab5Protocol`.
        public let referenceFolder: String
        /// `Sources/Lab5Protocol`.
        public let starterFolder: String
        /// The products built from it: what must be rebuilt when it changes.
        public let products: [String]
    }

    public let targets: [Target]

    public init(describeJSON: Data) throws {
        struct Description: Decodable { let targets: [Target] }
        targets = try JSONDecoder().decode(Description.self, from: describeJSON).targets
    }

    public static let referenceRoot = "Solutions/"
    public static let starterRoot = "Sources/"

    /// Each mirrored starter module's reference twin, by name: `Lab5Protocol` → `Lab5ProtocolSolution`.
    public var referenceModuleNames: [String: String] {
        var names: [String: String] = [:]
        for reference in targets where reference.path.hasPrefix(Self.referenceRoot) {
            let starterFolder = Self.starterRoot + reference.path.dropFirst(Self.referenceRoot.count)
            if let starter = targets.first(where: { $0.path == starterFolder }) { names[starter.name] = reference.name }
        }
        return names
    }

    /// The reference modules that go into `products` (a lab's reference programs), in name order.
    public func referenceModules(of products: [String]) -> [MirroredModule] {
        targets.filter { target in
            target.path.hasPrefix(Self.referenceRoot)
                && !Set(target.productMemberships ?? []).isDisjoint(with: products)
        }
        .sorted { $0.name < $1.name }
        .map { target in
            MirroredModule(
                name: target.name,
                referenceFolder: target.path,
                starterFolder: Self.starterRoot + target.path.dropFirst(Self.referenceRoot.count),
                products: (target.productMemberships ?? []).sorted()
            )
        }
    }
}
