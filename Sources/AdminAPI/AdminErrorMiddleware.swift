import Hummingbird
import Logging

/// Renders every failure of an admin request as `{"error": "…"}` (``AdminAPIError``): Hummingbird's
/// own errors (unknown route → 404, body too large → 413) keep their status with a readable
/// message; anything unexpected is logged and answered 500 without internal details.
struct AdminErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AdminAPIError {
            if error.statusCode >= 500 {
                logger.error("admin request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)"])
            }
            throw error
        } catch let error as HTTPError {
            let message: String
            switch error.status {
            case .notFound: message = "no such endpoint: \(request.method) \(request.uri.path)"
            default: message = error.body ?? error.status.reasonPhrase
            }
            throw AdminAPIError.request(status: error.status.code, message: message)
        } catch let error as any HTTPResponseError {
            throw AdminAPIError.request(status: error.status.code, message: error.status.reasonPhrase)
        } catch {
            logger.error("admin request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)"])
            throw AdminAPIError.request(status: 500, message: "internal error")
        }
    }
}
