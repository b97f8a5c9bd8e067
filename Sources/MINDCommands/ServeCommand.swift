import ArgumentParser
import Foundation
import Logging
import MINDCore
import MINDData
import MINDPostgres
import MINDServer
import MINDServing
import ServiceLifecycle

/// `mind serve`: the HTTP service over a trained model, with a durable event log.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve recommendations over HTTP; users' interests follow each new event at once.",
        discussion: """
            Routes: POST /v1/recommend, POST /v1/events, GET /v1/users/{id}/history, GET /v1/users/{id}/interests, POST /v1/admin/reload, GET /healthz, /readyz, /metrics, /openapi.yaml (the full description). An event is acknowledged only once it is durable in the event log (SQLite by default, or PostgreSQL with --events-database); on start the log is replayed, so every acknowledged event is in its user's history. SIGTERM and SIGINT finish the requests in flight and close the log; SIGHUP loads the model directory again without dropping requests.
            """)

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface).") var host: String = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed on start).") var port: Int = 8080
    @Option(help: "SQLite file of the event log (created if missing).") var events: String = "mind-events.sqlite"
    @Option(help: "PostgreSQL URL for the event log instead of SQLite: postgres://user:password@host:port/database.")
    var eventsDatabase: String?
    @Option(help: "Table of the PostgreSQL event log.") var eventsTable: String = PostgresEventStore.defaultTable
    @Option(help: "File holding the bearer token that writes (events, reload) must send; without it writes are open.")
    var tokenFile: String?
    @Option(help: "Dataset directory whose users' histories come before their logged events (optional).") var dataset: String?
    @Option(help: "Threads one request may use; requests themselves run on all cores.") var threads: Int = 1
    @Option(help: "Largest n a request may ask for.") var maxN: Int = 1000
    @Option(help: "Largest request body in bytes.") var maxBodyBytes: Int = 1 << 20
    @Option(help: "Seconds a connection may send nothing (idle, or stalled mid-request) before it is closed.") var idleTimeout: Int = 30
    @Option(help: "ComiRec's controllable aggregation: trade score for category diversity with this factor (0: off; needs --dataset for the item categories).")
    var diversityFactor: Float = 0

    @OptionGroup var retrieval: IndexOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard threads > 0 && threads <= 256 else { throw ValidationError("--threads must be between 1 and 256") }
        guard (1...RecommendCommand.maximumCount).contains(maxN) else {
            throw ValidationError("--max-n must be between 1 and \(RecommendCommand.maximumCount)")
        }
        guard (1024...(64 << 20)).contains(maxBodyBytes) else { throw ValidationError("--max-body-bytes must be between 1024 and 67108864") }
        guard (1...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be between 1 and 3600 seconds") }
        try checkDiversityFactor(diversityFactor)
        if diversityFactor > 0 && dataset == nil { throw ValidationError("--diversity-factor needs --dataset for the item categories") }
    }

    func run() async throws {
        do {
            try await serve()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }

    private func serve() async throws {
        var logger = Logger(label: "mind.serve")
        logger.logLevel = .info
        let token = try tokenFile.map(Self.readToken)
        let data = try dataset.map { try DatasetStore.load(from: URL(fileURLWithPath: $0)) }
        let categories = try data.flatMap { try CategoriesByItemID(factor: diversityFactor, dataset: $0) }
        let retrieval = self.retrieval, model = self.model, threads = self.threads
        // The same for the first model and every reload.
        let openModel: @Sendable () throws -> Recommender = {
            let engine = try retrieval.openRecommender(model, threads: threads)
            return categories?.applied(to: engine) ?? engine
        }
        let engine = try openModel()
        let online = OnlineRecommender(recommender: engine)
        if let data, let dataset { Self.seed(online, from: data, at: dataset) }

        let store: any EventStore
        if let eventsDatabase {
            store = try await PostgresEventStore(url: eventsDatabase, table: eventsTable)
        } else {
            store = try SQLiteEventStore(path: events)
        }
        var replayed = 0
        try await store.replay(after: 0, batchSize: 10_000) { batch in
            online.apply(batch)
            replayed += batch.count
        }
        Terminal.note("replayed \(replayed) events of \(online.userCount) users from \(store.location)")

        let service = RecommendationService(
            online: online, store: store,
            settings: ServiceSettings(
                maximumCount: maxN, maximumBodyBytes: maxBodyBytes, token: token, modelName: model, idleTimeout: .seconds(idleTimeout)),
            logger: logger,
            loadModel: openModel)
        let host = self.host
        let app = service.application(host: host, port: port) { channel in
            let address = channel.localAddress?.port.map { "http://\(host):\($0)" } ?? "\(host)"
            Terminal.note("mind serve: \(engine.items.count) items, listening on \(address)")
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: [app, ReloadOnHangup(service: service, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Requests in flight finish (stalled connections close after --idle-timeout); past this, they are cancelled,
        // unanswered, so nothing unacknowledged is reported as written.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(idleTimeout + 30)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        Terminal.note("mind serve: stopped; the event log is closed")
    }

    /// The token is the file's first line; an empty one is refused rather than accepting every request.
    static func readToken(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the token file \(path)")
        }
        let token = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard token.count >= 16 else { throw ValidationError("the token in \(path) must be at least 16 characters") }
        return token
    }

    /// Every user of the dataset starts with their full sequence.
    static func seed(_ online: OnlineRecommender, from data: Dataset, at path: String) {
        for user in 0..<data.userCount {
            let range = data.sequenceOffsets[user]..<data.sequenceOffsets[user + 1]
            let items = data.sequenceItems[range].map { data.items.ids[Int($0)] }
            let times = data.sequenceTimestamps.map { stamps in
                range.map { stamps[$0].isFinite && abs(stamps[$0]) < 1e15 ? Int64(stamps[$0]) : 0 }
            }
                ?? [Int64](repeating: 0, count: items.count)
            online.seed(user: data.users.ids[user], items: items, timestamps: times)
        }
        Terminal.note("seeded the histories of \(data.userCount) users from \(path)")
    }
}
