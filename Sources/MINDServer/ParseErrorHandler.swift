import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// A request NIO's HTTP/1 parser cannot read (a malformed request line or header, headers over the size limit) is
/// answered here with a JSON error like every other refusal (Hummingbird would send an empty 400), and the
/// connection is closed after it: nothing after the damage can be framed. When the damage follows a request still
/// being answered (pipelined), the refusal comes after that answer. A parse error inside a body a route is reading
/// (broken chunked framing) is left to that route, which answers it with its own JSON 400.
final class ParseErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Request heads read whose response has not yet ended.
    private var requestsInProgress = 0
    /// Between a request's head and the end of its body.
    private var readingBody = false
    /// A refusal held back until the responses in progress have ended.
    private var pendingRefusal: APIError?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsInProgress += 1
            readingBody = true
        case .body: break
        case .end: readingBody = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        requestsInProgress = max(0, requestsInProgress - 1)
        context.write(data, promise: promise)
        if requestsInProgress == 0, let refusal = pendingRefusal {
            pendingRefusal = nil
            refuse(refusal, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !readingBody else { return context.fireErrorCaught(error) }
        let refusal = parserError == .headerOverflow
            ? APIError(.requestHeaderFieldsTooLarge, "the request's headers are larger than the service reads")
            : APIError(.badRequest, "the request is not valid HTTP/1.1 (\(parserError))")
        if requestsInProgress == 0 {
            refuse(refusal, context: context)
        } else {
            pendingRefusal = refusal
        }
    }

    /// Writes `refusal` as a whole response and closes the connection once it is sent.
    private func refuse(_ refusal: APIError, context: ChannelHandlerContext) {
        let body = refusal.body.bytes
        var head = HTTPResponse(status: refusal.status)
        head.headerFields = [.contentType: "application/json", .contentLength: String(body.count), .connection: "close"]
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
