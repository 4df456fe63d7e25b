import Foundation

/// A JSON value whose objects keep their keys in order, so the sandbox answers
/// `{"ok":true,"result":...}` with its fields where Telegram puts them.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            // Objects are equal whatever the order of their keys.
            a.count == b.count && a.allSatisfy { field in b.contains { $0.0 == field.0 && $0.1 == field.1 } }
        default: false
        }
    }

    /// Parses JSON text; nil when it is not JSON.
    public init?(parsing data: Data) {
        guard let value = try? JSONDecoder().decode(Decoded.self, from: data) else { return nil }
        self = value.json
    }

    public init?(parsing text: String) {
        self.init(parsing: Data(text.utf8))
    }

    public subscript(key: String) -> JSON? {
        guard case .object(let fields) = self else { return nil }
        return fields.last { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value) where value == value.rounded() && abs(value) < 9e15: Int64(value)
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Compact JSON text.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    public var data: Data { Data(text.utf8) }

    /// The text a Bot API parameter has when it came as this JSON value: a string's own text,
    /// anything else its JSON text (so `123` and `"123"` read alike, and `null` reads "null").
    public var parameterText: String {
        if case .string(let value) = self { return value }
        return text
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value):
            if value.isFinite {
                out += value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            } else {
                out += "null"
            }
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "/": out += "\\/"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Decodes any JSON, objects in key order lost (JSONDecoder does not keep it), which does not
    /// matter for input.
    private struct Decoded: Decodable {
        let json: JSON

        init(from decoder: any Decoder) throws {
            if let container = try? decoder.container(keyedBy: AnyKey.self) {
                var fields: [(String, JSON)] = []
                for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                    fields.append((key.stringValue, try container.decode(Decoded.self, forKey: key).json))
                }
                json = .object(fields)
            } else if var container = try? decoder.unkeyedContainer() {
                var values: [JSON] = []
                while !container.isAtEnd { values.append(try container.decode(Decoded.self).json) }
                json = .array(values)
            } else {
                let container = try decoder.singleValueContainer()
                if container.decodeNil() {
                    json = .null
                } else if let value = try? container.decode(Bool.self) {
                    json = .bool(value)
                } else if let value = try? container.decode(Int64.self) {
                    json = .int(value)
                } else if let value = try? container.decode(Double.self) {
                    json = .double(value)
                } else {
                    json = .string(try container.decode(String.self))
                }
            }
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(elements) }
}
