import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// What a request's head says about its body, acted on before the body is read:
///
/// - `Expect: 100-continue` is answered with an interim `100 Continue` as soon as the request is the one being
///   answered (at once, or when the answer to a request pipelined before it has ended), so the client sends the
///   body without waiting for its own timeout (curl: 1 s, for bodies over 1 MiB). The final status is still the
///   route's (a 401 or 400 after the 100 is allowed).
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

    /// A request read whose answer has not ended, in arrival order (the first is being answered).
    private struct Pending {
        var wantsContinue: Bool
        var closeAfterAnswer: Bool
    }

    /// The largest body the routes read (`ServiceSettings.maximumBodyBytes`).
    let maximumBodyBytes: Int
    private var pending: [Pending] = []

    init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data) {
            let tooLarge = request.headerFields[.contentLength].flatMap { Int($0) }.map { $0 > maximumBodyBytes } ?? false
            pending.append(Pending(wantsContinue: !tooLarge && Self.expectsContinue(request), closeAfterAnswer: tooLarge))
            if pending.count == 1 { sendContinueIfWanted(context: context) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            guard !pending.isEmpty else { return context.write(data, promise: promise) }
            if response.status == .contentTooLarge { pending[0].closeAfterAnswer = true }
            guard pending[0].closeAfterAnswer else { return context.write(data, promise: promise) }
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard !pending.isEmpty else { return context.write(data, promise: promise) }
            let answered = pending.removeFirst()
            if answered.closeAfterAnswer {
                pending.removeAll()
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else {
                context.write(data, promise: promise)
                sendContinueIfWanted(context: context)
            }
        }
    }

    /// The interim answer of the request now being answered, if it asked for one (once).
    private func sendContinueIfWanted(context: ChannelHandlerContext) {
        guard !pending.isEmpty, pending[0].wantsContinue else { return }
        pending[0].wantsContinue = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// Whether the expectation (a comma-separated list, compared without case) holds `100-continue`.
    static func expectsContinue(_ request: HTTPRequest) -> Bool {
        request.headerFields[values: .expect].contains { value in
            value.split(separator: ",").contains { $0.filter { !$0.isWhitespace }.lowercased() == "100-continue" }
        }
    }
}
