import Hummingbird
import SIPCore

/// `GET /v1/subscriptions[?instrument=MAC]`: the notifier's subscriptions (RFC 6665), optionally
/// only those concerning one phone (``AdminSubscription/instrument``: the MAC in any spelling,
/// canonicalized; a malformed MAC is 400).
extension AdminRoutes {
    func addSubscriptionRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/subscriptions") { request, _ in try await self.subscriptions(request) }
    }

    func subscriptions(_ request: Request) async throws -> Response {
        let instrument = try queryValue(request, "instrument").map(checkedInstrument)
        let now = clock.now()
        let all = await operations.subscriptions().map { AdminSubscription($0, now: now) }
        return try AdminJSON.response(all.filter { instrument == nil || $0.instrument == instrument?.value })
    }

    /// An operator's MAC (`0000deadbeef`, `00:00:de:ad:be:ef`), or 400 saying what is wrong.
    func checkedInstrument(_ text: String) throws(AdminAPIError) -> SIPInstrumentID {
        if let problem = SIPInstrumentID.operatorInputProblem(text) { throw .badRequest("invalid instrument: \(problem)") }
        guard let id = SIPInstrumentID(text) else { throw .badRequest("invalid instrument '\(text)'") }
        return id
    }
}
