import Hummingbird
import LogTap
import NIOCore
import SIPCore

/// `GET /v1/status` (``AdminServerStatus``) and `GET /metrics` (Prometheus text exposition
/// format 0.0.4; 404 when the server has no metrics backend).
extension AdminRoutes {
    func addOperationsRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/status") { _, _ in try await self.status() }
        router.get("/metrics") { _, _ in try self.metrics() }
    }

    func status() async throws -> Response {
        let details = await operations.status()
        let uptime = clock.uptime() - startedUptime
        return try AdminJSON.response(
            AdminServerStatus(
                version: operations.version, domains: domains, startedAt: ISO8601Time.format(startedAt),
                uptimeSeconds: uptime.components.seconds, listeners: details.listeners, counts: details.counts,
                logs: logTap.statistics))
    }

    func metrics() throws -> Response {
        guard let metrics = operations.metrics else {
            throw AdminAPIError.request(status: 404, message: "this server has no metrics backend")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics())))
    }
}
