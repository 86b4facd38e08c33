import Hummingbird
import Foundation

/// JSON encoding and decoding of admin API bodies. Keys are sorted so that a document is
/// byte-for-byte reproducible (tests and `--json` consumers can diff it).
enum AdminJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// A `Content-Type: application/json` response holding `value`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Decodes a JSON request body; an empty body decodes as `{}` so that requests whose fields
    /// are all optional may be sent without one. Errors are 400s that say what is wrong.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws(AdminAPIError) -> T {
        var bytes = Data(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { bytes = Data("{}".utf8) }
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .badRequest("invalid JSON body: missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .badRequest("invalid JSON body: wrong type for '\(Self.path(context.codingPath))'")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .badRequest("invalid JSON body: null for '\(Self.path(context.codingPath))'")
        } catch {
            throw .badRequest("invalid JSON body: not a JSON object of the expected shape")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map(\.stringValue).joined(separator: ".")
    }
}
