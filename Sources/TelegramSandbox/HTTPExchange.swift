import Foundation

/// An HTTP request as the sandbox sees it, independent of the HTTP server that carried it.
public struct SandboxRequest: Sendable {
    public var method: String
    /// The path, still percent-encoded.
    public var path: String
    /// The query string without its `?`, still percent-encoded.
    public var query: String
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: Data

    public init(
        method: String,
        path: String,
        query: String = "",
        headers: [String: String] = [:],
        body: Data = Data()
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }

    /// Query items, decoded as a form decodes them (`+` is a space).
    public var queryItems: [(String, String)] { FormDecoding.pairs(query) }

    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.0 == name }?.1
    }
}

/// What the sandbox answers: a status, headers and a body, or nothing at all (`drop`), for the
/// fault that closes the connection without an answer.
public struct SandboxResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    public var drop: Bool

    public init(status: Int, headers: [String: String] = [:], body: Data = Data(), drop: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.drop = drop
    }

    public static func json(_ value: JSON, status: Int = 200, headers: [String: String] = [:]) -> SandboxResponse {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return SandboxResponse(status: status, headers: headers, body: value.data)
    }

    /// `{"ok":true,"result":...}`, with a description when there is one.
    public static func ok(_ result: JSON, description: String? = nil) -> SandboxResponse {
        var fields: [(String, JSON)] = [("ok", true), ("result", result)]
        if let description { fields.append(("description", .string(description))) }
        return .json(.object(fields))
    }

    /// `{"ok":false,"error_code":N,"description":"..."}` with HTTP status N.
    public static func error(
        _ code: Int,
        _ description: String,
        retryAfter: Int? = nil,
        migrateToChatID: Int64? = nil
    ) -> SandboxResponse {
        var fields: [(String, JSON)] = [
            ("ok", false), ("error_code", .int(Int64(code))),
            ("description", .string(description)),
        ]
        var parameters: [(String, JSON)] = []
        var headers: [String: String] = [:]
        if let migrateToChatID { parameters.append(("migrate_to_chat_id", .int(migrateToChatID))) }
        if let retryAfter {
            parameters.append(("retry_after", .int(Int64(retryAfter))))
            headers["Retry-After"] = String(retryAfter)
        }
        if !parameters.isEmpty { fields.append(("parameters", .object(parameters))) }
        return .json(.object(fields), status: code, headers: headers)
    }

    public static let dropConnection = SandboxResponse(status: 0, drop: true)
}

/// Reads parameters the ways the Bot API accepts them: the query string, then a body that is
/// `application/x-www-form-urlencoded`, `application/json` (any charset) or `multipart/form-data`.
/// Every value is text; a JSON value that is not a string is its JSON text.
enum ParameterParsing {
    enum Failure: Error, Equatable {
        case badJSON
        case jsonNotObject
        case badMultipart
    }

    static func parameters(of request: SandboxRequest) throws(Failure) -> [(String, String)] {
        var pairs = request.queryItems
        guard !request.body.isEmpty else { return pairs }
        let contentType = request.headers["content-type"]?.lowercased() ?? ""
        if contentType.contains("application/x-www-form-urlencoded") {
            pairs += FormDecoding.pairs(String(decoding: request.body, as: UTF8.self))
        } else if contentType.contains("application/json") {
            let text = String(decoding: request.body, as: UTF8.self)
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return pairs }
            guard let json = JSON(parsing: request.body) else { throw .badJSON }
            guard case .object(let fields) = json else { throw .jsonNotObject }
            pairs += fields.map { ($0.0, $0.1.parameterText) }
        } else if contentType.contains("multipart/form-data") {
            guard let boundary = boundary(in: request.headers["content-type"] ?? "") else { throw .badMultipart }
            pairs += try multipart(request.body, boundary: boundary)
        }
        return pairs
    }

    static func boundary(in contentType: String) -> String? {
        for part in contentType.split(separator: ";") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("boundary=") else { continue }
            var value = String(trimmed.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The fields of a multipart body; a file part's value is its content read as UTF-8.
    static func multipart(_ body: Data, boundary: String) throws(Failure) -> [(String, String)] {
        let bytes = [UInt8](body)
        let delimiter = [UInt8](("--" + boundary).utf8)
        var positions: [Int] = []
        var index = 0
        while let found = find(delimiter, in: bytes, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        guard positions.count >= 2 else { throw .badMultipart }
        var pairs: [(String, String)] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            // Skip the CRLF after the delimiter.
            if partStart + 1 < bytes.count, bytes[partStart] == 13, bytes[partStart + 1] == 10 { partStart += 2 }
            var partEnd = end
            if partEnd >= 2, bytes[partEnd - 2] == 13, bytes[partEnd - 1] == 10 { partEnd -= 2 }
            guard partStart <= partEnd else { throw .badMultipart }
            let part = Array(bytes[partStart..<partEnd])
            guard let split = find([13, 10, 13, 10], in: part, from: 0) else { throw .badMultipart }
            let head = String(decoding: part[..<split], as: UTF8.self)
            let content = String(decoding: part[(split + 4)...], as: UTF8.self)
            guard let name = fieldName(inPartHead: head) else { throw .badMultipart }
            pairs.append((name, content))
        }
        return pairs
    }

    private static func fieldName(inPartHead head: String) -> String? {
        for line in head.components(separatedBy: "\r\n")
        where line.lowercased().hasPrefix("content-disposition:") {
            for item in line.split(separator: ";") {
                let trimmed = item.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("name=") else { continue }
                var value = String(trimmed.dropFirst("name=".count))
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                    value = String(value.dropFirst().dropLast())
                }
                return value
            }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else {
            return nil
        }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle {
                return index
            }
            index += 1
        }
        return nil
    }
}

enum FormDecoding {
    static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            return (name, value)
        }
    }

    static func decode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
