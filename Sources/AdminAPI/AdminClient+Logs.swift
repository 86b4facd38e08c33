import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `switchboard logs` asks `GET /v1/logs` for (see `AdminRoutes+Logs.swift`).
public struct AdminLogQuery: Sendable, Hashable {
    public var instrument: String?
    public var aor: String?
    public var method: String?
    public var level: String?
    /// Replay the recent records of this many seconds ago and later.
    public var sinceSeconds: Int64?
    public var follow: Bool

    public init(
        instrument: String? = nil, aor: String? = nil, method: String? = nil, level: String? = nil,
        sinceSeconds: Int64? = nil, follow: Bool = false
    ) {
        self.instrument = instrument
        self.aor = aor
        self.method = method
        self.level = level
        self.sinceSeconds = sinceSeconds
        self.follow = follow
    }

    var queryItems: [(String, String?)] {
        [
            ("instrument", instrument), ("aor", aor), ("method", method), ("level", level),
            ("since", sinceSeconds.map(String.init)), ("follow", follow ? "true" : nil),
        ]
    }
}

/// One log record as `GET /v1/logs` sends it (the JSON log line format).
public struct AdminLogRecord: Codable, Sendable, Hashable {
    /// Seconds since 1970, millisecond precision.
    public var ts: Double
    public var level: String
    public var label: String
    public var msg: String
    public var meta: [String: String]?
}

/// What a log stream delivers.
public enum AdminLogEvent: Sendable, Hashable {
    /// A record, and its JSON text as sent (one line).
    case record(AdminLogRecord, json: String)
    /// The server dropped this many records for this reader so far (it fell behind).
    case dropped(Int)
}

extension AdminClient {
    /// The server's log records as they are sent: the replay, then (with `follow`) live ones
    /// until the server ends the stream or the task is cancelled. Errors: unreachable server,
    /// an error answer (400 names the bad filter), a lost connection.
    public func logs(_ query: AdminLogQuery) -> AsyncThrowingStream<AdminLogEvent, any Error> {
        AsyncThrowingStream { continuation in
            guard let url = URL(string: url(path: ["v1", "logs"], query: query.queryItems)) else {
                continuation.finish(throwing: AdminClientError.invalidURL(server.description, reason: "not a URL"))
                return
            }
            var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
            request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            let configuration = URLSessionConfiguration.ephemeral
            // Idle limit between two chunks: the server sends a keep-alive every 15 s.
            configuration.timeoutIntervalForRequest = max(timeout, 60)
            configuration.timeoutIntervalForResource = query.follow ? 365 * 86_400 : max(timeout, 60)
            let delegate = LogStreamDelegate(continuation: continuation, server: server.description)
            let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
            let task = session.dataTask(with: request)
            continuation.onTermination = { _ in
                task.cancel()
                session.finishTasksAndInvalidate()
            }
            task.resume()
        }
    }
}

/// Feeds the response body of `GET /v1/logs` through ``ServerSentEventParser`` into the stream.
/// URLSession calls it on its delegate queue, one call at a time.
final class LogStreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked Sendable: the mutable fields are touched only from the session's serial
    // delegate queue.
    private let continuation: AsyncThrowingStream<AdminLogEvent, any Error>.Continuation
    private let server: String
    private var parser = ServerSentEventParser()
    private var status = 0
    private var errorBody = Data()

    init(continuation: AsyncThrowingStream<AdminLogEvent, any Error>.Continuation, server: String) {
        self.continuation = continuation
        self.server = server
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard status == 200 else {
            if errorBody.count < 64 * 1024 { errorBody.append(data) }
            return
        }
        for event in parser.feed(data) {
            switch event.name {
            case "dropped":
                if let body = try? JSONDecoder().decode([String: Int].self, from: Data(event.data.utf8)), let count = body["dropped"] {
                    continuation.yield(.dropped(count))
                }
            default:
                if let record = try? JSONDecoder().decode(AdminLogRecord.self, from: Data(event.data.utf8)) {
                    continuation.yield(.record(record, json: event.data))
                }
            }
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error {
            if (error as? URLError)?.code == .cancelled {
                continuation.finish()
            } else {
                continuation.finish(throwing: AdminClientError.unreachable(url: server, reason: error.localizedDescription))
            }
        } else if status != 200 {
            let message = (try? JSONDecoder().decode(AdminErrorBody.self, from: errorBody))?.error ?? "HTTP \(status)"
            continuation.finish(throwing: AdminClientError.server(status: status, message: message, line: nil))
        } else {
            continuation.finish()
        }
        session.finishTasksAndInvalidate()
    }
}
