import ArgumentParser
import Foundation
import MINDData
import MINDModels
import MINDPostgres
import MINDServing

/// `mind pgvector-export`: a model's item vectors into a PostgreSQL table with an HNSW index (pgvector).
///
/// Ready to become `mind export --format pgvector` when the export command lands: its options are the same.
struct PGVectorExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgvector-export",
        abstract: "Write a model's item vectors to a PostgreSQL table (pgvector) and build its HNSW index.",
        discussion: """
            The table (item_index int primary key, item_id text not null, title text, embedding vector(d)) is loaded by COPY into <table>_loading, indexed with hnsw (embedding vector_ip_ops), and renamed into place in one transaction: a failed export leaves the old table as it was. Search it with 'mind recommend --index pgvector'.
            """)

    @Option(help: "PostgreSQL URL: postgres://user:password@host:port/database.") var database: String
    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "Table to (re)create.") var table: String = PGVectorStore.defaultTable
    @Option(help: "Dataset directory whose item titles fill the title column (optional).") var dataset: String?
    @Option(name: .customLong("hnsw-m"), help: "HNSW links per node (pgvector's m, 2-100).") var hnswM: Int = 16
    @Option(name: .customLong("hnsw-ef-construction"), help: "HNSW build candidate list (pgvector's ef_construction, 4-1000, >= 2 m).")
    var hnswEfConstruction: Int = 64
    @Option(help: "maintenance_work_mem for the index build, e.g. 512MB (default: the server's).") var maintenanceWorkMem: String?

    var hnsw: HNSWBuildSettings {
        HNSWBuildSettings(m: hnswM, efConstruction: hnswEfConstruction, maintenanceWorkMemory: maintenanceWorkMem)
    }

    func validate() throws {
        do {
            _ = try PGVectorStore(url: database, table: table)
            try hnsw.validate()
        } catch let error as PGVectorError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        do {
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
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }
}
