import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// What a request's head says about its body, acted on before the body is read:
///
/// - `Expect: 100-continue` is answered with an interim `100 Continue` as soon as the head arrives, so the client
///   sends the body at once. Without it the client waits for its own timeout first (curl: 1 s, for bodies over
///   1 MiB). The final status is still the route's (a 401 or 400 after the 100 is allowed).
/// - A body declared (Content-Length) larger than the service accepts gets no 100; the route's 413 is answered from
///   the head, marked `Connection: close`, and the connection is closed after it, so the refused body is neither
///   waited for nor read to its end (however large it claims to be), and no later bytes can be taken for a request.
///   Any 413 closes the connection the same way (a chunked body is found too large only while it is read).
///
/// Sits in the channel pipeline after the HTTP/1 codec, before Hummingbird's request handling; the interim head is
/// written from here, so Hummingbird's response bookkeeping never sees it.
final class RequestBodyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The largest body the routes read (`ServiceSettings.maximumBodyBytes`).
    let maximumBodyBytes: Int
    /// Set by a head whose declared body is too large; the connection closes once that request is answered.
    private var closeAfterResponse = false

    init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data) {
            if let declared = request.headerFields[.contentLength].flatMap({ Int($0) }), declared > maximumBodyBytes {
                closeAfterResponse = true
            } else if Self.expectsContinue(request) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            // Also a chunked body found too large while read: the rest of it is not read either.
            if response.status == .contentTooLarge { closeAfterResponse = true }
            guard closeAfterResponse else { return context.write(data, promise: promise) }
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterResponse else { return context.write(data, promise: promise) }
            closeAfterResponse = false
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
        }
    }

    /// Whether the expectation (a comma-separated list, compared without case) holds `100-continue`.
    static func expectsContinue(_ request: HTTPRequest) -> Bool {
        request.headerFields[values: .expect].contains { value in
            value.split(separator: ",").contains { $0.filter { !$0.isWhitespace }.lowercased() == "100-continue" }
        }
    }
}
