import ArgumentParser
import Foundation
import MINDData
import MINDModels
import MINDPostgres
import MINDServing

/// Where and how `mind export --format pgvector` (and its older name `mind pgvector-export`) writes the item table.
struct PGVectorExportOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL for --format pgvector: postgres://user:password@host:port/database.") var database: String?
    @Option(help: "Table to (re)create (--format pgvector).") var table: String = PGVectorStore.defaultTable
    @Option(name: .customLong("hnsw-m"), help: "pgvector HNSW links per node (m, 2-100; --format pgvector).") var hnswM: Int = 16
    @Option(name: .customLong("hnsw-ef-construction"), help: "pgvector HNSW build candidate list (ef_construction, 4-1000, >= 2 m).")
    var hnswEfConstruction: Int = 64
    @Option(help: "maintenance_work_mem for the index build, e.g. 2GB (default: the server's; too little makes a large build slow).")
    var maintenanceWorkMem: String?

    /// The pgvector settings given with values other than their defaults (an error with --format numpy).
    var givenSettings: [String] {
        [("--table", table != PGVectorStore.defaultTable), ("--hnsw-m", hnswM != 16), ("--hnsw-ef-construction", hnswEfConstruction != 64),
         ("--maintenance-work-mem", maintenanceWorkMem != nil)].filter(\.1).map(\.0)
    }

    var hnsw: HNSWBuildSettings {
        HNSWBuildSettings(m: hnswM, efConstruction: hnswEfConstruction, maintenanceWorkMemory: maintenanceWorkMem)
    }

    /// The URL, table and index settings are usable (checked before anything is read or written).
    func check(_ database: String) throws {
        do {
            _ = try PGVectorStore(url: database, table: table)
            try hnsw.validate()
        } catch let error as PGVectorError {
            throw ValidationError(error.description)
        }
    }

    /// Loads the model's item vectors (titles from `dataset` when given) into the table and builds its index.
    func export(model: String, dataset: String?, to database: String) throws {
        let store = try PGVectorStore(url: database, table: table)
        let (loaded, bundle) = try ModelBundle.loadModel(from: URL(fileURLWithPath: model))
        let items = loaded.itemMatrix()
        var titles = [String?]()
        if let dataset {
            let data = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
            if let known = data.itemTitles {
                titles = bundle.itemIDs.map { id in data.items.index(of: id).map { known[Int($0)] } }
            } else {
                Terminal.note("warning: \(dataset) has no item titles; the title column stays empty")
            }
        }
        let report = try store.writeBlocking(items: items, ids: bundle.itemIDs, titles: titles, hnsw: hnsw)
        Terminal.note(String(format: "wrote %d items (d = %d) to %@ in %@: COPY %.2f s, hnsw index %.2f s, total %.2f s",
                             report.rows, items.dimension, table, store.location.redacted,
                             report.copySeconds, report.indexSeconds, report.totalSeconds))
    }
}

/// `mind pgvector-export`: the earlier name of `mind export --format pgvector`, kept so scripts keep working.
struct PGVectorExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgvector-export",
        abstract: "Write a model's item vectors to a PostgreSQL table (pgvector); the same as 'mind export --format pgvector'.",
        discussion: """
            The table (item_index int primary key, item_id text not null, title text, embedding vector(d)) is loaded by COPY into <table>_loading, indexed with hnsw (embedding vector_ip_ops), and renamed into place in one transaction: a failed export leaves the old table as it was. Search it with 'mind recommend --index pgvector'.
            """)

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "Dataset directory whose item titles fill the title column (optional).") var dataset: String?
    @OptionGroup var pgvector: PGVectorExportOptions

    func validate() throws {
        guard let database = pgvector.database else { throw ValidationError("give --database URL") }
        try pgvector.check(database)
    }

    func run() throws {
        do {
            try pgvector.export(model: model, dataset: dataset, to: pgvector.database!)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }
}
