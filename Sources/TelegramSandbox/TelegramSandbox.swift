import FlyingFox
import FlyingSocks
import Foundation

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// An offline Telegram Bot API: one bot, its users and their private chats, served over HTTP on
/// loopback with FlyingFox. Point a bot at it with `TELEGRAM_API_URL=http://127.0.0.1:PORT` and
/// its token; play the users through `/sandbox/` (see `SandboxCore.userSide`) or the methods below.
///
///     let sandbox = try TelegramSandbox()
///     let url = try await sandbox.start()           // http://127.0.0.1:PORT
///     await sandbox.userSays("/start", userID: 1001)
///     let replies = await sandbox.botMessages(chatID: 1001, timeout: 5)
///     await sandbox.stop()
public actor TelegramSandbox {
    public nonisolated let configuration: SandboxConfiguration
    /// The token the sandbox accepts.
    public nonisolated let token: String
    let core: SandboxCore

    private var server: HTTPServer?
    private var runTask: Task<Void, Never>?
    public private(set) var port: UInt16?

    public init(_ configuration: SandboxConfiguration = SandboxConfiguration()) throws(SandboxError) {
        let token = configuration.token ?? TokenShape.generate()
        guard TokenShape.isValid(token) else { throw .malformedToken }
        let name = configuration.botUsername
        guard (5...32).contains(name.count), name.lowercased().hasSuffix("bot"),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { throw .badUsername(name) }
        self.configuration = configuration
        self.token = token
        self.core = SandboxCore(configuration: configuration, token: token)
    }

    /// The URL to use as TELEGRAM_API_URL, once started.
    public var baseURL: URL? {
        guard let port else { return nil }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : Self.host(configuration.host)
        return URL(string: "http://\(host):\(port)")
    }

    /// Starts listening and returns the base URL; `port` then tells the port (useful with port 0).
    @discardableResult
    public func start() async throws -> URL {
        if let baseURL, server != nil { return baseURL }
        let address = try Self.address(host: configuration.host, port: configuration.port)
        let server = HTTPServer(
            config: HTTPServer.Configuration(
                address: address,
                timeout: 75,
                pool: NoDelayPool(HTTPServer.defaultPool()),
                logger: .disabled
            ),
            handler: FlyingFoxHandler(core: core)
        )
        let failure = FailureBox()
        runTask = Task {
            do { try await server.run() } catch { await failure.set(error) }
        }
        self.server = server
        for _ in 0..<1000 {
            if await server.isListening { break }
            if let error = await failure.error {
                self.server = nil
                throw SandboxError.couldNotListen(
                    "\(configuration.host):\(configuration.port): \(error.localizedDescription)"
                )
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        switch await server.listeningAddress {
        case .ip4(_, let port)?, .ip6(_, let port)?: self.port = port
        default:
            await stop()
            throw SandboxError.couldNotListen("no listening address")
        }
        return baseURL!
    }

    /// Stops listening, ending any long poll in progress. The answers that ends get a moment to be written; then
    /// the server stops (FlyingFox's server task ends only when cancelled, so the moment is always spent).
    public func stop() async {
        await core.shutdown()
        if let server { await server.stop(timeout: 0.05) }
        runTask?.cancel()
        server = nil
        runTask = nil
        port = nil
    }

    /// Answers one request as the HTTP server would (for tests that skip HTTP).
    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        await core.handle(request)
    }

    // MARK: - The user side, in process

    /// A user writes to the bot in their private chat (whose id is the user's id); answers the
    /// update's id (nil when allowed_updates excludes messages) and the message's id.
    @discardableResult
    public func userSays(
        _ text: String,
        userID: Int64,
        firstName: String? = nil,
        username: String? = nil
    )
        async -> (updateID: Int64?, messageID: Int64)
    {
        await core.userMessage(
            userID: userID,
            text: text,
            firstName: firstName,
            lastName: nil,
            username: username,
            languageCode: nil
        )
    }

    /// The bot's messages to a chat with an id above `after`, waiting up to `timeout` seconds
    /// for the first.
    public func botMessages(chatID: Int64, after: Int64 = 0, timeout: Double = 0) async -> [SandboxMessage] {
        await core.botMessages(chatID: chatID, after: after, timeout: min(timeout, Double(SandboxCore.maxPollTimeout)))
    }

    /// The getUpdates being held, waiting up to `timeout` seconds for the bot to make one: once this answers,
    /// the bot is idle, and a user's message ends the poll at once.
    public func waitForHeldPoll(timeout: Double = 10) async -> HeldPoll? {
        await core.waitForHeldPoll(timeout: min(timeout, Double(SandboxCore.maxPollTimeout)))
    }

    /// The user blocks (or unblocks) the bot: sendMessage to them gets 403.
    public func setBlocked(_ userID: Int64, _ blocked: Bool = true) async {
        await core.setBlocked(userID, blocked)
    }

    /// Every Bot API call received so far, token redacted.
    public func requests() async -> [RecordedRequest] {
        await core.recordedRequests()
    }

    /// Makes the next matching calls fail.
    public func addFault(_ fault: SandboxFault) async {
        await core.addFault(fault)
    }

    // MARK: - Helpers

    private static func host(_ host: String) -> String {
        host == "localhost" ? "127.0.0.1" : host
    }

    static func address(host: String, port: UInt16) throws(SandboxError) -> any SocketAddress {
        let host = Self.host(host)
        do {
            if host.contains(":") { return try sockaddr_in6.inet6(ip6: host, port: port) }
            return try sockaddr_in.inet(ip4: host, port: port)
        } catch {
            throw .badHost(host)
        }
    }
}

/// FlyingFox's default socket pool, with Nagle's algorithm turned off on every socket it waits on (the listening
/// one too, whose setting the accepted connections inherit). FlyingFox writes a response's header and body
/// separately: with Nagle on, the body of every answer on a reused connection waited for the client's delayed
/// ACK of the header — 40 ms per Bot API call.
private struct NoDelayPool: AsyncSocketPool {
    let pool: any AsyncSocketPool

    init(_ pool: any AsyncSocketPool) {
        self.pool = pool
    }

    func prepare() async throws { try await pool.prepare() }

    func run() async throws { try await pool.run() }

    func suspendSocket(_ socket: FlyingSocks.Socket, untilReadyFor events: FlyingSocks.Socket.Events) async throws {
        var on: Int32 = 1
        _ = setsockopt(socket.file.rawValue, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        try await pool.suspendSocket(socket, untilReadyFor: events)
    }
}

private actor FailureBox {
    var error: (any Error)?
    func set(_ error: any Error) { self.error = error }
}

/// Carries requests from FlyingFox to the sandbox and its answers back.
private struct FlyingFoxHandler: HTTPHandler {
    let core: SandboxCore

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try await request.bodyData
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
        let sandboxRequest = SandboxRequest(
            method: request.method.rawValue,
            path: request.target.path(),
            query: request.target.query(),
            headers: headers,
            body: body
        )
        let response = await core.handle(sandboxRequest)
        if response.drop {
            // The connection breaks in the middle of the answer: the status line and headers, then
            // nothing. Not even those would be truer to "no answer", but curl (and so URLSession on
            // Linux) silently resends a request whose reused connection died without a byte, and
            // URLSession then never sends the body again: the client would hang until its timeout.
            return HTTPResponse(
                statusCode: .ok,
                headers: [.contentType: "application/json"],
                body: HTTPBodySequence(from: BrokenBody(), count: 1024)
            )
        }
        var responseHeaders = HTTPHeaders()
        for (name, value) in response.headers { responseHeaders[HTTPHeader(name)] = value }
        return HTTPResponse(
            statusCode: HTTPStatusCode(response.status, phrase: Self.phrase(response.status)),
            headers: responseHeaders,
            body: response.body
        )
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}

/// A body that fails before its first byte: FlyingFox has written the headers, and closes the connection.
private struct BrokenBody: AsyncBufferedSequence {
    typealias Element = UInt8
    struct Dropped: Error {}

    struct AsyncIterator: AsyncBufferedIteratorProtocol {
        mutating func next() async throws -> UInt8? { throw Dropped() }
        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? { throw Dropped() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}
