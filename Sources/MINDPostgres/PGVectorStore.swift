import Foundation
import MINDRetrieval
import PostgresNIO

/// Settings of the `hnsw (embedding vector_ip_ops)` index built after a load (pgvector's `m` and `ef_construction`).
public struct HNSWBuildSettings: Sendable, Equatable {
    /// Links per node (pgvector: 2...100, default 16).
    public var m: Int
    /// Candidate list size while building (pgvector: 4...1000 and at least 2m, default 64).
    public var efConstruction: Int
    /// `maintenance_work_mem` for the build (e.g. "512MB"); nil keeps the server's. The build is much slower when
    /// the graph does not fit (pgvector prints a notice).
    public var maintenanceWorkMemory: String?

    /// pgvector's defaults.
    public init(m: Int = 16, efConstruction: Int = 64, maintenanceWorkMemory: String? = nil) {
        self.m = m
        self.efConstruction = efConstruction
        self.maintenanceWorkMemory = maintenanceWorkMemory
    }

    /// Rejects settings pgvector would reject, naming the setting.
    public func validate() throws {
        guard (2...100).contains(m) else { throw PGVectorError.invalidSetting("hnsw m must be between 2 and 100, not \(m)") }
        guard (4...1000).contains(efConstruction), efConstruction >= 2 * m else {
            throw PGVectorError.invalidSetting("hnsw ef_construction must be between 4 and 1000 and at least 2 m (\(2 * m)), not \(efConstruction)")
        }
        if let memory = maintenanceWorkMemory,
           memory.isEmpty || !memory.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            throw PGVectorError.invalidSetting("maintenance_work_mem must look like 512MB, not '\(memory)'")
        }
    }
}

/// How long a load took.
public struct PGVectorLoadReport: Sendable {
    /// Rows written.
    public var rows: Int
    /// Seconds for the COPY.
    public var copySeconds: Double
    /// Seconds for `CREATE INDEX ... USING hnsw`.
    public var indexSeconds: Double
    /// Seconds from connecting to the commit.
    public var totalSeconds: Double
}

/// What a table holds, read back: the vectors by item index, the ids and the titles.
public struct PGVectorTableContents: Sendable {
    /// Row i is the embedding of item_index i.
    public var items: ItemMatrix
    /// item_id by item_index.
    public var ids: [String]
    /// title by item_index (nil where NULL).
    public var titles: [String?]
}

/// A PostgreSQL table of item vectors `(item_index int primary key, item_id text not null, title text,
/// embedding vector(d))`, written whole by COPY and read by `PGVectorIndex`.
///
/// A load runs in one transaction: COPY (text format, postgres-nio's `copyFrom`) into `<table>_loading`, build the
/// HNSW index on it, drop the old table, rename the new one and its indexes into place, commit. A failure at any
/// step rolls back and leaves the old table as it was; readers see the old table until the commit.
public struct PGVectorStore: Sendable {
    /// The table name used when none is given.
    public static let defaultTable = "mind_items"

    /// The database.
    public let location: PostgresLocation
    /// The table (always double-quoted in SQL, so its case is kept).
    public let table: String

    /// A store for `table` in the database at `url`; checks the URL and the name, connects only when used.
    public init(url: String, table: String = PGVectorStore.defaultTable) throws {
        self.location = try PostgresLocation(url: url)
        self.table = try TableName.validated(table)
    }

    /// Replaces the table by `items` (row i = item i) with `ids[i]` and optional `titles[i]`, then indexes it.
    public func write(items: ItemMatrix, ids: [String], titles: [String?] = [], hnsw: HNSWBuildSettings = .init()) async throws -> PGVectorLoadReport {
        try hnsw.validate()
        guard ids.count == items.count else {
            throw PGVectorError.invalidItems("\(ids.count) item ids for \(items.count) item vectors")
        }
        guard titles.isEmpty || titles.count == items.count else {
            throw PGVectorError.invalidItems("\(titles.count) titles for \(items.count) item vectors")
        }
        // pgvector's limit for vector columns, and its refusal of NaN and infinity.
        guard items.dimension <= 16_000 else { throw PGVectorError.invalidItems("pgvector holds at most 16000 dimensions, not \(items.dimension)") }
        if let bad = items.storage.firstIndex(where: { !$0.isFinite }) {
            throw PGVectorError.invalidItems("item \(bad / items.dimension) ('\(ids[bad / items.dimension])') has a value that is not finite")
        }
        let start = Date()
        let connection = try await PostgresSession.connect(to: location)
        do {
            let report = try await load(items: items, ids: ids, titles: titles, hnsw: hnsw, on: connection, start: start)
            try? await connection.close()
            return report
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func load(
        items: ItemMatrix, ids: [String], titles: [String?], hnsw: HNSWBuildSettings, on connection: PostgresConnection, start: Date
    ) async throws -> PGVectorLoadReport {
        let session = PostgresSession(connection: connection, location: location)
        do {
            try await session.execute("CREATE EXTENSION IF NOT EXISTS vector", operation: "enabling pgvector")
        } catch let PGVectorError.queryFailed(_, reason) {
            // Two loads creating the extension at once: one fails on a unique key, but the extension is there.
            let present = try await session.rows("SELECT 1 FROM pg_extension WHERE extname = 'vector'", operation: "checking for pgvector")
            if present.isEmpty { throw PGVectorError.extensionUnavailable(url: location.redacted, reason: reason) }
        }
        let loading = table + "_loading"
        let quotedLoading = TableName.quoted(loading)
        try await session.execute("BEGIN", operation: "starting the load transaction")
        do {
            if let memory = hnsw.maintenanceWorkMemory {
                try await session.execute("SET LOCAL maintenance_work_mem = '\(memory)'", operation: "setting maintenance_work_mem")
            }
            try await session.execute("DROP TABLE IF EXISTS \(quotedLoading)", operation: "dropping a left-over \(loading)")
            try await session.execute("""
                CREATE TABLE \(quotedLoading) (item_index int NOT NULL, item_id text NOT NULL, title text, \
                embedding vector(\(items.dimension)), CONSTRAINT "\(loading)_pkey" PRIMARY KEY (item_index))
                """, operation: "creating table \(loading)")
            let copyStart = Date()
            try await copy(items: items, ids: ids, titles: titles, into: loading, on: connection)
            let copySeconds = Date().timeIntervalSince(copyStart)
            let indexStart = Date()
            try await session.execute("""
                CREATE INDEX "\(loading)_hnsw" ON \(quotedLoading) USING hnsw (embedding vector_ip_ops) \
                WITH (m = \(hnsw.m), ef_construction = \(hnsw.efConstruction))
                """, operation: "building the hnsw index on \(loading)")
            let indexSeconds = Date().timeIntervalSince(indexStart)
            try await session.execute("DROP TABLE IF EXISTS \(TableName.quoted(table))", operation: "dropping the old \(table)")
            try await session.execute("ALTER TABLE \(quotedLoading) RENAME TO \(TableName.quoted(table))", operation: "renaming \(loading) to \(table)")
            try await session.execute("ALTER INDEX \"\(loading)_pkey\" RENAME TO \"\(table)_pkey\"", operation: "renaming the primary key index")
            try await session.execute("ALTER INDEX \"\(loading)_hnsw\" RENAME TO \"\(table)_hnsw\"", operation: "renaming the hnsw index")
            try await session.execute("COMMIT", operation: "committing the load")
            return PGVectorLoadReport(rows: items.count, copySeconds: copySeconds, indexSeconds: indexSeconds,
                                      totalSeconds: Date().timeIntervalSince(start))
        } catch {
            try? await session.execute("ROLLBACK", operation: "rolling back")
            throw error
        }
    }

    /// Streams the rows in COPY text format, about 1 MiB per message.
    private func copy(items: ItemMatrix, ids: [String], titles: [String?], into loading: String, on connection: PostgresConnection) async throws {
        do {
            try await connection.copyFrom(
                table: loading, columns: ["item_index", "item_id", "title", "embedding"], format: .text(.init()),
                logger: PostgresSession.logger
            ) { writer in
                var chunk = ""
                chunk.reserveCapacity(1 << 20 + 4096)
                for item in 0..<items.count {
                    let title = titles.isEmpty ? nil : titles[item]
                    let row = items.storage[(item * items.dimension)..<((item + 1) * items.dimension)]
                    chunk += "\(item)\t\(VectorText.copyField(ids[item]))\t\(title.map(VectorText.copyField) ?? VectorText.copyNull)\t\(VectorText.format(row))\n"
                    if chunk.utf8.count >= 1 << 20 {
                        try await writer.write(ByteBuffer(string: chunk))
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                if !chunk.isEmpty { try await writer.write(ByteBuffer(string: chunk)) }
            }
        } catch {
            throw PGVectorError.queryFailed(operation: "COPY into \(loading)", reason: PGVectorError.reason(error))
        }
    }

    /// Reads the whole table back, by item index; fails if the indices are not exactly 0..<rows.
    public func read() async throws -> PGVectorTableContents {
        let connection = try await PostgresSession.connect(to: location)
        let session = PostgresSession(connection: connection, location: location)
        do {
            let shape = try await session.tableShape(table)
            var storage = [Float](repeating: 0, count: shape.count * shape.dimension)
            var ids = [String](repeating: "", count: shape.count)
            var titles = [String?](repeating: nil, count: shape.count)
            let rows = try await session.rows(
                PostgresQuery(unsafeSQL: "SELECT item_index, item_id, title, embedding::text FROM \(TableName.quoted(table)) ORDER BY item_index"),
                operation: "reading \(table)")
            for row in rows {
                let (index, id, title, text) = try row.decode((Int32, String, String?, String).self)
                guard let values = VectorText.parse(text), values.count == shape.dimension, (0..<shape.count).contains(Int(index)) else {
                    throw PGVectorError.notAnItemTable(table: table, reason: "row \(index) has a bad embedding or index")
                }
                storage.replaceSubrange((Int(index) * shape.dimension)..<((Int(index) + 1) * shape.dimension), with: values)
                ids[Int(index)] = id
                titles[Int(index)] = title
            }
            try? await connection.close()
            return PGVectorTableContents(
                items: ItemMatrix(count: shape.count, dimension: shape.dimension, storage: storage), ids: ids, titles: titles)
        } catch {
            try? await connection.close()
            if error is PGVectorError { throw error }
            throw PGVectorError.queryFailed(operation: "reading \(table)", reason: PGVectorError.reason(error))
        }
    }
}
