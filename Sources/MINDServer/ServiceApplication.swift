import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import MINDJSON
import MINDRetrieval
import MINDServing
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Every route of the service: the router registers exactly these, and a test checks that `OpenAPIDocument`
/// describes exactly these.
public enum ServiceRoute: String, CaseIterable, Sendable {
    case recommend, events, history, interests, reload, health, ready, metrics, openapi

    public var method: HTTPRequest.Method {
        switch self {
        case .recommend, .events, .reload: return .post
        case .history, .interests, .health, .ready, .metrics, .openapi: return .get
        }
    }

    /// The path as OpenAPI writes it (`{id}` for a parameter).
    public var path: String {
        switch self {
        case .recommend: return "/v1/recommend"
        case .events: return "/v1/events"
        case .history: return "/v1/users/{id}/history"
        case .interests: return "/v1/users/{id}/interests"
        case .reload: return "/v1/admin/reload"
        case .health: return "/healthz"
        case .ready: return "/readyz"
        case .metrics: return "/metrics"
        case .openapi: return "/openapi.yaml"
        }
    }

    /// The path as Hummingbird's router writes it (`:id`).
    var routerPath: String { path.replacingOccurrences(of: "{id}", with: ":id") }

    /// The methods served at a request's `path` (ids filled in), HEAD wherever GET is; empty when no route has it.
    static func methods(at path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let methods = allCases.filter { route in
            let pattern = route.path.split(separator: "/", omittingEmptySubsequences: false)
            return pattern.count == segments.count
                && zip(pattern, segments).allSatisfy { $0 == "{id}" ? !$1.isEmpty : $0 == $1 }
        }.map(\.method)
        return methods.contains(.get) ? methods + [.head] : methods
    }
}

/// Limits and identity of one running service.
public struct ServiceSettings: Sendable {
    /// `n` when a request gives none.
    public var defaultCount = 100
    /// Largest `n` accepted.
    public var maximumCount = 1000
    /// Largest request body, in bytes (10,000 ids of 100 bytes fit).
    public var maximumBodyBytes = 1 << 20
    /// With a token, writes (events, reload) need `Authorization: Bearer <token>`.
    public var token: String?
    /// Shown by /readyz: the model directory.
    public var modelName = ""
    /// A connection that sends nothing for this long (idle between requests, or stalled in a request's headers or
    /// body) is closed: slow clients cannot hold the service's connections, nor keep a shutdown waiting.
    public var idleTimeout: Duration = .seconds(30)

    public init(
        defaultCount: Int = 100, maximumCount: Int = 1000, maximumBodyBytes: Int = 1 << 20, token: String? = nil, modelName: String = "",
        idleTimeout: Duration = .seconds(30)
    ) {
        self.defaultCount = defaultCount
        self.maximumCount = maximumCount
        self.maximumBodyBytes = maximumBodyBytes
        self.token = token
        self.modelName = modelName
        self.idleTimeout = idleTimeout
    }
}

/// The service's behaviour, independent of how it is run: routes in, JSON out. Built from its dependencies, so
/// tests run it in-process with an event store of their choice.
public final class RecommendationService: Sendable {
    public let online: OnlineRecommender
    public let store: any EventStore
    public let metrics: ServiceMetrics
    public let settings: ServiceSettings
    /// Loads the model again from where it came from (SIGHUP, /v1/admin/reload); nil when there is nowhere.
    let loadModel: (@Sendable () async throws -> Recommender)?
    private let logger: Logger

    public init(
        online: OnlineRecommender, store: any EventStore, metrics: ServiceMetrics = ServiceMetrics(),
        settings: ServiceSettings = ServiceSettings(), logger: Logger = Logger(label: "mind.serve"),
        loadModel: (@Sendable () async throws -> Recommender)? = nil
    ) {
        self.online = online
        self.store = store
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        self.loadModel = loadModel
        metrics.users.set(Int64(online.userCount))
    }

    /// What answers every request: the router with every `ServiceRoute`, errors answered as JSON (a method a path does
    /// not take is a 405 naming those it does), requests counted and timed; HEAD is answered for every GET route.
    public func responder() -> some HTTPResponder<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: JSONErrorMiddleware())
        for route in ServiceRoute.allCases {
            // HEAD is a route of its own (not rewritten to GET), so the metrics count it under its own method.
            for method in route.method == .get ? [HTTPRequest.Method.get, .head] : [route.method] {
                router.on(RouterPath(route.routerPath), method: method, use: { request, context in
                    try await self.respond(route, to: request, context: context)
                })
            }
        }
        return HeadWithoutBody(wrapped: router.buildResponder())
    }

    /// The HTTP application on `host:port`.
    public func application(host: String, port: Int, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let bodyLimit = settings.maximumBodyBytes
        return Application(
            responder: responder(),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [ParseErrorHandler(), RequestBodyHandler(maximumBodyBytes: bodyLimit)], idleTimeout: TimeAmount(settings.idleTimeout))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "mind"),
            onServerRunning: onServerRunning, logger: logger)
    }

    func respond(_ route: ServiceRoute, to request: Request, context: BasicRequestContext) async throws -> Response {
        switch route {
        case .recommend: return try await recommend(request)
        case .events: return try await writeEvents(request)
        case .history: return try history(of: userParameter(context))
        case .interests: return try interests(of: userParameter(context), request: request)
        case .reload: return try await reload(request)
        case .health: return status("ok")
        case .ready:
            // A service whose log can no longer keep writes is taken out of rotation, with the reason.
            if let problem = store.knownProblem() { throw APIError(.serviceUnavailable, "not ready: \(problem)") }
            return status("ready")
        case .metrics:
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        case .openapi:
            return Response(status: .ok, headers: [.contentType: "application/yaml"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.served(catalogue: online.recommender.itemVocabulary.ids))))
        }
    }

    // MARK: - Routes

    private func recommend(_ request: Request) async throws -> Response {
        let body = try await Requests.decode(Requests.Recommend.self, from: request, limit: settings.maximumBodyBytes)
        let count = body.n ?? min(settings.defaultCount, settings.maximumCount)
        guard (1...settings.maximumCount).contains(count) else {
            throw APIError.badRequest("\"n\" is \(count); it must be between 1 and \(settings.maximumCount)")
        }
        let engine = online.recommender
        let exclude = try Validate.ids(body.exclude ?? [], at: "exclude", limit: HistoryFile.maximumItemsPerLine)
        try Validate.known(exclude, at: "exclude", in: engine)
        let profile = try self.profile(body.profile ?? [:], for: engine)
        let answeredBy: Recommender, ranked: [ScoredItem], user: String
        switch (body.user, body.history) {
        case (let given?, nil):
            user = try Validate.id(given.text, at: "user")
            guard let found = online.rankedItems(user: user, profile: profile, count: count, exclude: exclude) else {
                throw APIError.notFound("user \"\(user)\" has no stored events")
            }
            (answeredBy, ranked) = found
        case (nil, let history?):
            let ids = try Validate.ids(history, at: "history", limit: HistoryFile.maximumItemsPerLine)
            try Validate.known(ids, at: "history", in: engine)
            ranked = engine.rankedItems(history: ids, profile: profile, count: count, exclude: exclude)
            (answeredBy, user) = (engine, "")
        default:
            throw APIError.badRequest("give exactly one of \"user\" (a stored history) and \"history\" (item ids)")
        }
        var writer = JSONWriter(capacity: 64 + ranked.count * 48)
        answeredBy.writeJSON(user: user, ranked: ranked, into: &writer)
        return .json(writer)
    }

    /// Profile fields must be features the model reads; values it has not seen are its "unknown" value.
    private func profile(_ given: [String: HistoryFile.Identifier], for engine: Recommender) throws -> [String: String] {
        guard given.count <= HistoryFile.maximumProfileEntries else {
            throw APIError.badRequest("\"profile\" has \(given.count) fields; at most \(HistoryFile.maximumProfileEntries)")
        }
        let features = engine.model.usesProfile ? engine.model.schema.userFeatures.map(\.name) : []
        for name in given.keys.sorted() where !features.contains(name) {
            let field = "profile.\(JSONProblem.abbreviated(name))"
            throw APIError.unprocessable(features.isEmpty
                ? "\"\(field)\": this model reads no profile"
                : "\"\(field)\": the model reads \(features.joined(separator: ", "))")
        }
        return given.mapValues(\.text)
    }

    private func writeEvents(_ request: Request) async throws -> Response {
        try authorize(request)
        let body = try await Requests.decode(Requests.Events.self, from: request, limit: settings.maximumBodyBytes)
        guard !body.events.isEmpty, body.events.count <= EventLimits.maximumBatch else {
            throw APIError.badRequest("\"events\" has \(body.events.count) events; send 1 to \(EventLimits.maximumBatch)")
        }
        let engine = online.recommender
        let now = Int64(Date().timeIntervalSince1970)
        var events: [UserEvent] = []
        events.reserveCapacity(body.events.count)
        for (i, given) in body.events.enumerated() {
            let place = body.batch ? "events[\(i)]." : ""
            let user = try Validate.id(given.user.text, at: place + "user")
            let item = try Validate.id(given.item.text, at: place + "item")
            guard engine.itemVocabulary.index(of: item) != nil else {
                throw APIError.unprocessable("\"\(place)item\": item \"\(item)\" is not in the model's catalogue")
            }
            let timestamp = given.timestamp ?? now
            guard (0...Self.latestTimestamp).contains(timestamp) else {
                throw APIError.badRequest("\"\(place)timestamp\" is \(timestamp); give seconds since 1970, 0 to \(Self.latestTimestamp)")
            }
            events.append(UserEvent(user: user, item: item, timestamp: timestamp))
        }
        let stored: [StoredEvent]
        do {
            stored = try await store.append(events)
        } catch {
            logger.error("event store: \(error)")
            throw APIError(.serviceUnavailable, "nothing was stored: \(error)")
        }
        metrics.eventsWritten.increment(by: Int64(stored.count))
        let changed = online.apply(stored)
        metrics.interestRecomputations.increment(by: Int64(online.refreshInterests(of: changed)))
        metrics.users.set(Int64(online.userCount))

        var writer = JSONWriter(capacity: 32 + stored.count * 12)
        writer.raw("{")
        writer.key("written")
        writer.number(stored.count)
        writer.raw(",")
        writer.key("sequences")
        writer.array(stored) { $0.number(Int($1.sequence)) }
        writer.raw("}")
        return .json(writer)
    }

    /// 9999-12-31T23:59:59Z: a timestamp beyond it is a unit mistake (milliseconds), not a date.
    static let latestTimestamp: Int64 = 253_402_300_799

    private func history(of user: String) throws -> Response {
        guard let history = online.history(of: user) else { throw APIError.notFound("user \"\(user)\" has no stored events") }
        var writer = JSONWriter(capacity: 64 + history.items.count * 24)
        writer.raw("{")
        writer.key("user")
        writer.string(user)
        writer.raw(",")
        writer.key("items")
        writer.array(history.items) { $0.string($1) }
        writer.raw(",")
        writer.key("timestamps")
        writer.array(history.timestamps) { $0.number(Int($1)) }
        writer.raw("}")
        return .json(writer)
    }

    private func interests(of user: String, request: Request) throws -> Response {
        var count = 10
        let given = request.uri.queryParameters.getAll("n")
        guard given.count <= 1 else { throw APIError.badRequest("query parameter \"n\" is given \(given.count) times; give it once") }
        if let given = given.first.map({ String($0) }) {
            // Digits only, as JSON integers are read: not "+5" or " 5".
            guard given.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(given), (1...100).contains(value) else {
                throw APIError.badRequest("query parameter \"n\" is \"\(JSONProblem.abbreviated(given))\"; give 1 to 100")
            }
            count = value
        }
        let engine = online.recommender
        guard let extracted = online.interests(of: user) else { throw APIError.notFound("user \"\(user)\" has no stored events") }
        var writer = JSONWriter(capacity: 1024)
        writer.raw("{")
        writer.key("user")
        writer.string(user)
        writer.raw(",")
        writer.key("interests")
        writer.array(extracted.active.indices.filter { extracted.active[$0] }) { writer, interest in
            let top = engine.index.search(query: extracted.vectors[interest], n: count, exclude: extracted.behaviours)
            writer.raw("{")
            writer.key("interest")
            writer.number(interest)
            writer.raw(",")
            writer.key("items")
            writer.array(top) { writer, scored in
                writer.raw("{")
                writer.key("item")
                writer.string(engine.itemIDs[Int(scored.item)])
                writer.raw(",")
                writer.key("score")
                writer.number(scored.score)
                writer.raw("}")
            }
            writer.raw(",")
            writer.key("behaviours")
            // With routing: the behaviours by their weight in this interest; without, the whole history, unweighted.
            let positions = extracted.couplingWeights == nil
                ? Array(extracted.behaviours.indices.reversed()) : extracted.behaviourPositions(of: interest)
            writer.array(positions.prefix(count)) { writer, position in
                writer.raw("{")
                writer.key("item")
                writer.string(engine.itemIDs[Int(extracted.behaviours[position])])
                writer.raw(",")
                writer.key("weight")
                if let weights = extracted.couplingWeights { writer.number(weights[interest][position]) } else { writer.raw("null") }
                writer.raw("}")
            }
            writer.raw("}")
        }
        writer.raw("}")
        return .json(writer)
    }

    private func reload(_ request: Request) async throws -> Response {
        try authorize(request)
        do {
            try await reloadModel()
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.conflict, "the model could not be loaded; the previous one keeps answering: \(error)")
        }
        return status("ready")
    }

    /// Loads the model again and swaps it in; requests already running finish on the old one.
    public func reloadModel() async throws {
        guard let loadModel else { throw APIError(.conflict, "this service has no model directory to reload from") }
        let fresh = try await loadModel()
        online.replace(fresh)
        metrics.modelReloads.increment()
        logger.info("reloaded the model: \(fresh.items.count) items")
    }

    private func status(_ word: String) -> Response {
        var writer = JSONWriter(capacity: 160)
        writer.raw("{")
        writer.key("status")
        writer.string(word)
        writer.raw(",")
        writer.key("model")
        writer.string(settings.modelName)
        writer.raw(",")
        writer.key("items")
        writer.number(online.recommender.items.count)
        writer.raw(",")
        writer.key("users")
        writer.number(online.userCount)
        writer.raw(",")
        writer.key("last_sequence")
        writer.number(Int(online.lastSequence))
        writer.raw("}")
        return .json(writer)
    }

    // MARK: - Helpers

    private func userParameter(_ context: BasicRequestContext) throws -> String {
        let raw = context.parameters.get("id") ?? ""
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.badRequest("the user id \"\(raw)\" in the path is not valid percent-encoding (a '%' is followed by two hexadecimal digits of UTF-8)")
        }
        return try Validate.id(decoded, at: "id")
    }

    /// Writes need the bearer token when the service has one; compared in constant time.
    private func authorize(_ request: Request) throws {
        guard let token = settings.token else { return }
        guard let given = request.headers.bearer?.token else {
            throw APIError(.unauthorized, "this route needs the header \"Authorization: Bearer <token>\"")
        }
        let expected = Array(token.utf8), offered = Array(given.utf8)
        var difference = UInt8(expected.count == offered.count ? 0 : 1)
        for i in 0..<expected.count { difference |= expected[i] ^ (i < offered.count ? offered[i] : 0) }
        guard difference == 0 else { throw APIError(.unauthorized, "the bearer token is not the service's") }
    }
}

/// HEAD as HTTP asks: the status and headers GET would answer (Content-Length included), never a body, which a
/// client reading a HEAD answer does not expect and would take for the start of its next response.
struct HeadWithoutBody<Wrapped: HTTPResponder>: HTTPResponder {
    let wrapped: Wrapped

    func respond(to request: Request, context: Wrapped.Context) async throws -> Response {
        let answer = try await wrapped.respond(to: request, context: context)
        guard request.method == .head else { return answer }
        return Response(status: answer.status, headers: answer.headers, body: ResponseBody())
    }
}

/// Reloads the model on SIGHUP until the service shuts down.
public struct ReloadOnHangup: Service {
    let service: RecommendationService
    let logger: Logger

    public init(service: RecommendationService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                try await service.reloadModel()
            } catch {
                logger.error("SIGHUP: the model could not be loaded; the previous one keeps answering: \(error)")
            }
        }
    }
}
