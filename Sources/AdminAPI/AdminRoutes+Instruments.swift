import Hummingbird
import Foundation
import Logging
import SIPCore
import SIPStorage

/// The provisioning routes (instruments and their line appearances, RFC 6011 §1.3.2):
///
/// | Route | Answer |
/// |---|---|
/// | `GET /v1/instruments` | 200 `[`` AdminInstrument ``]`, ordered by MAC |
/// | `POST /v1/instruments` ``AdminNewInstrument`` | 201 ``AdminInstrument``; 409 if provisioned already; 404 naming a line's unknown user |
/// | `GET /v1/instruments/{mac}` | 200 ``AdminInstrument``; 404 |
/// | `DELETE /v1/instruments/{mac}` | 204; 404 |
/// | `POST /v1/instruments/{mac}/lines` ``AdminNewLine`` | 201 ``AdminInstrument``; 409 if the index or user is taken |
/// | `DELETE /v1/instruments/{mac}/lines/{index}` | 200 ``AdminInstrument``; 404 |
extension AdminRoutes {
    func addInstrumentRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/instruments") { _, _ in try await self.listInstruments() }
        router.post("/v1/instruments") { request, _ in try await self.addInstrument(request) }
        router.get("/v1/instruments/{mac}") { _, context in try await self.showInstrument(context.parameters) }
        router.delete("/v1/instruments/{mac}") { _, context in try await self.removeInstrument(context.parameters) }
        router.post("/v1/instruments/{mac}/lines") { request, context in try await self.addLine(request, context.parameters) }
        router.delete("/v1/instruments/{mac}/lines/{index}") { _, context in try await self.removeLine(context.parameters) }
    }

    func listInstruments() async throws -> Response {
        let all: [ProvisionedInstrument]
        do { all = try await provisioning.instruments() } catch { throw AdminAPIError(error) }
        return try AdminJSON.response(all.map(AdminInstrument.init))
    }

    func addInstrument(_ request: Request) async throws -> Response {
        let body = try AdminJSON.decode(AdminNewInstrument.self, from: try await collectJSON(request))
        let id = try Self.instrumentID(body.mac)
        var lines: [LineDefinition] = []
        for line in body.lines ?? [] { lines.append(try await lineDefinition(line)) }
        let instrument: ProvisionedInstrument
        do {
            instrument = try await provisioning.addInstrument(
                InstrumentDefinition(id: id, vendor: body.vendor, model: body.model, label: body.label, lines: lines),
                now: clock.now())
        } catch {
            throw AdminAPIError(error)
        }
        logger.info(
            "instrument added",
            metadata: ["event": "admin.instrument.added", "instrument": "\(id)", "vendor": "\(instrument.vendor)", "lines": "\(lines.count)"])
        return try AdminJSON.response(AdminInstrument(instrument), status: .created)
    }

    func showInstrument(_ parameters: Parameters) async throws -> Response {
        let id = try Self.instrumentID(parameters)
        let found: ProvisionedInstrument?
        do { found = try await provisioning.instrument(id) } catch { throw AdminAPIError(error) }
        guard let found else { throw AdminAPIError(StorageError.instrumentNotFound(id.value)) }
        return try AdminJSON.response(AdminInstrument(found))
    }

    func removeInstrument(_ parameters: Parameters) async throws -> Response {
        let id = try Self.instrumentID(parameters)
        do { try await provisioning.removeInstrument(id, now: clock.now()) } catch { throw AdminAPIError(error) }
        logger.info("instrument removed", metadata: ["event": "admin.instrument.removed", "instrument": "\(id)"])
        return Response(status: .noContent)
    }

    func addLine(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let id = try Self.instrumentID(parameters)
        let body = try AdminJSON.decode(AdminNewLine.self, from: try await collectJSON(request))
        let line = try await lineDefinition(body)
        let instrument: ProvisionedInstrument
        do { instrument = try await provisioning.addLine(line, to: id, now: clock.now()) } catch { throw AdminAPIError(error) }
        logger.info(
            "line added",
            metadata: ["event": "admin.instrument.line_added", "instrument": "\(id)", "user": "\(line.user)", "domain": "\(line.domain)"])
        return try AdminJSON.response(AdminInstrument(instrument), status: .created)
    }

    func removeLine(_ parameters: Parameters) async throws -> Response {
        let id = try Self.instrumentID(parameters)
        guard let text = parameters.get("index"), let index = Int(text) else {
            throw AdminAPIError.badRequest("malformed line path, expected /v1/instruments/{mac}/lines/{index}")
        }
        let instrument: ProvisionedInstrument
        do { instrument = try await provisioning.removeLine(index: index, from: id, now: clock.now()) } catch {
            throw AdminAPIError(error)
        }
        logger.info("line removed", metadata: ["event": "admin.instrument.line_removed", "instrument": "\(id)", "index": "\(index)"])
        return try AdminJSON.response(AdminInstrument(instrument))
    }

    /// A line of an existing user: the domain defaults to the server's first one, and a user that
    /// does not exist is refused (404) — its phone could not authenticate.
    private func lineDefinition(_ line: AdminNewLine) async throws -> LineDefinition {
        let domain = try line.domain.map(SIPUserCredential.canonicalDomain) ?? defaultDomain()
        do throws(StorageError) {
            try SIPUserCredential.validate(user: line.user, domain: domain)
            guard try await credentials.password(user: line.user, domain: domain) != nil else {
                throw StorageError.userNotFound(user: line.user, domain: domain)
            }
        } catch {
            throw AdminAPIError(error)
        }
        return LineDefinition(user: line.user, domain: domain, displayName: line.displayName, index: line.index)
    }

    static func instrumentID(_ parameters: Parameters) throws(AdminAPIError) -> SIPInstrumentID {
        guard let raw = parameters.get("mac"), let text = raw.removingPercentEncoding else {
            throw .badRequest("malformed instrument path, expected /v1/instruments/{mac}")
        }
        return try instrumentID(text)
    }

    /// A MAC address in any spelling, canonical; anything else is a 400.
    static func instrumentID(_ text: String) throws(AdminAPIError) -> SIPInstrumentID {
        guard let id = SIPInstrumentID(text), id.isMAC else {
            throw .badRequest("invalid MAC address '\(text)': expected 12 hex digits (0000deadbeef, 00:00:de:ad:be:ef)")
        }
        return id
    }
}
