import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDServing

/// What `mind export` writes.
enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
    /// .npy arrays and id lists that numpy and faiss load as they are.
    case numpy
    /// A PostgreSQL table of item ids, titles and `vector(d)` embeddings with a pgvector HNSW index.
    case pgvector
}

/// `mind export`: the item vectors and, with a dataset, every user's interests, for numpy and faiss.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export item vectors (and users' interests) as .npy files for numpy and faiss, or to PostgreSQL (pgvector).",
        discussion: """
            Writes items.npy (float32 [n_items, d]) and item_ids.txt (line i = row i); with --dataset, for every user with a non-empty history (the whole stored sequence, as 'mind recommend --user' uses): user_interests.npy (float32 [n_users, K, d], unused interests are zeros), user_interest_mask.npy (bool [n_users, K]) and user_ids.txt; plus config.json (the model's) and manifest.json. A user's recommendations are the top items by max over its active interests of items @ interest, history excluded. The output is written to a temporary directory and renamed into place; an existing directory is replaced only if it holds an earlier export.

            --format pgvector --database URL instead loads the item vectors into a table (item_index int primary key, item_id text not null, title text, embedding vector(d)) by COPY into <table>_loading, builds an hnsw (embedding vector_ip_ops) index and renames it into place in one transaction; titles come from --dataset when given. Search it with 'mind recommend --index pgvector'.
            """)

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "Dataset directory whose users' interests to export (optional).") var dataset: String?
    @Option(help: "Output directory (--format numpy).") var output: String?
    @Option(help: "Output format: numpy (files) or pgvector (a PostgreSQL table, with --database).") var format: ExportFormat = .numpy
    @OptionGroup var pgvector: PGVectorExportOptions
    @Option(help: "Threads (default: all cores); the output is the same for any value.") var threads: Int = Parallel.availableCores

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        if format == .pgvector {
            guard let database = pgvector.database else { throw ValidationError("--format pgvector needs --database URL") }
            guard output == nil else { throw ValidationError("--output is for --format numpy; pgvector writes to --database") }
            return try pgvector.check(database)
        }
        guard let output else { throw ValidationError("--format numpy needs --output DIR") }
        if pgvector.database != nil { throw ValidationError("--database is for --format pgvector") }
        if !pgvector.givenSettings.isEmpty {
            throw ValidationError("\(pgvector.givenSettings.joined(separator: ", ")) \(pgvector.givenSettings.count == 1 ? "is" : "are") for --format pgvector")
        }
        try checkOutputDirectory(output, option: "--output", inputs: [("--model", model), ("--dataset", dataset)])
    }

    func run() throws {
        if format == .pgvector {
            do {
                return try pgvector.export(model: model, dataset: dataset, to: pgvector.database!)
            } catch {
                throw CommandError.report(error)
            }
        }
        guard let output else { throw ValidationError("--format numpy needs --output DIR") }
        let outputURL = URL(fileURLWithPath: output)
        let interruptions = Interruption { StagedDirectory.removeTemporaryDirectories(for: outputURL) }
        defer { interruptions.cancel() }
        let start = DispatchTime.now()
        do {
            // A refused output is reported before the model and dataset are read.
            try ModelExport.checkDestination(outputURL)
            let recommender: Recommender
            var users: [ExportedUser]?
            if let dataset {
                let data = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
                recommender = try loadRecommender(model, toRunOn: data, at: dataset, threads: threads)
                users = ModelExport.users(of: data, for: recommender)
            } else {
                recommender = try Recommender(directory: URL(fileURLWithPath: model), threads: threads)
            }
            switch format {
            case .pgvector:
                break  // answered above
            case .numpy:
                let manifest = try ModelExport.write(
                    recommender, modelDirectory: URL(fileURLWithPath: model), users: users, datasetPath: dataset, to: outputURL)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
                let what = users == nil ? "\(manifest.itemCount) items (no --dataset, so no users)"
                    : "\(manifest.itemCount) items and \(manifest.userCount) users (K = \(manifest.interestCount))"
                Terminal.note(String(format: "exported %@, d = %d, in %.2f s -> %@", what, manifest.dimension, seconds, output))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }
}
