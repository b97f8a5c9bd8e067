import Hummingbird
import MINDServing
import NIOCore

/// A request the service refuses, with the status and a message that names the place (a JSON path, a header).
/// The error middleware writes it as `{"error": {"status": 400, "message": "..."}}`.
public struct APIError: Error, Equatable, Sendable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    static func unprocessable(_ message: String) -> APIError { APIError(.unprocessableContent, message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    /// `{"error": {"status": ..., "message": ...}}`.
    var body: JSONWriter {
        var writer = JSONWriter(capacity: 128 + message.utf8.count)
        writer.raw("{")
        writer.key("error")
        writer.raw("{")
        writer.key("status")
        writer.number(Int(status.code))
        writer.raw(",")
        writer.key("message")
        writer.string(message)
        writer.raw("}}")
        return writer
    }

    /// The JSON answer of this error.
    var response: Response {
        var response = Response.json(body, status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

extension Response {
    /// A JSON answer from bytes written by a `JSONWriter`.
    static func json(_ writer: JSONWriter, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}

/// Turns every error a route throws into a JSON answer: ours keep their status, the router's own (no such route,
/// body too large) get theirs, and anything unexpected is a 500 that is logged, never a dropped connection.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch is NIOTooManyBytesError {
            return APIError(.contentTooLarge, "the request body is larger than the service accepts").response
        } catch let error as HTTPError where error.status == .notFound {
            // The router knows no (path, method) pair: a path of ours asked with another method is a 405, as HTTP has it.
            let allowed = ServiceRoute.methods(at: request.uri.path)
            guard !allowed.isEmpty else { return APIError(.notFound, "no route \(request.method) \(request.uri.path)").response }
            let names = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            var response = APIError(.methodNotAllowed, "\(request.uri.path) answers \(names), not \(request.method)").response
            response.headers[.allow] = names
            return response
        } catch let error as HTTPError {
            return APIError(error.status, error.body ?? error.status.reasonPhrase).response
        } catch let error as HTTPResponseError {
            return APIError(error.status, error.status.reasonPhrase).response
        } catch {
            context.logger.error("unexpected error answering \(request.method) \(request.uri.path): \(error)")
            return APIError(.internalServerError, "internal error").response
        }
    }
}
