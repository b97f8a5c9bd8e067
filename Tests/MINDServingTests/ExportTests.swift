import Foundation
import Testing
import MINDData
import MINDModels
@testable import MINDServing

@Suite("ModelExport")
struct ExportTests {
    /// What `mind recommend --user` asks the recommender for user `user` of the fixture's dataset.
    static func request(forUser user: Int) -> (history: [String], profile: [String: String]) {
        let data = Fixture.trained.data
        var profile: [String: String] = [:]
        for (feature, value) in zip(data.userFeatures, data.profile(ofUser: user)) where value != 0 {
            profile[feature.name] = feature.vocabulary[Int(value)]
        }
        return (data.sequence(ofUser: user).map { data.items.ids[Int($0)] }, profile)
    }

    /// The lines of a text file of the export.
    static func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The top `count` rows of `items` [n, d] by max over `interests` [K', d] of the dot product, `history` left out.
    static func topByMaxInterest(items: [Float], dimension d: Int, interests: [[Float]], history: Set<Int>, count: Int) -> [(Int, Float)] {
        let scored = (0..<(items.count / d)).filter { !history.contains($0) }.map { item -> (Int, Float) in
            let row = items[(item * d)..<((item + 1) * d)]
            return (item, interests.map { interest in zip(row, interest).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.max() ?? -.infinity)
        }
        return Array(scored.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(count))
    }

    /// Whether two neighbouring scores are so close that two implementations may order them differently.
    static func hasNearTie(_ scores: [Float]) -> Bool {
        zip(scores, scores.dropFirst()).contains { abs($0 - $1) < 1e-4 }
    }

    @Test func theExportEqualsTheRecommendersVectorsAndReproducesItsRecommendations() throws {
        let recommender = try Fixture.recommender()
        let data = Fixture.trained.data
        let scratch = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("export")
        let users = ModelExport.users(of: data, for: recommender)
        let manifest = try ModelExport.write(recommender, modelDirectory: Fixture.trained.directory, users: users, to: output)

        let withHistory = (0..<data.userCount).filter { !data.sequence(ofUser: $0).isEmpty }
        #expect(!withHistory.isEmpty)
        let (n, d, k) = (recommender.items.count, recommender.items.dimension, recommender.model.users.interestCount)
        #expect(manifest.itemCount == n && manifest.dimension == d && manifest.interestCount == k && manifest.userCount == withHistory.count)
        #expect(ExportManifest.read(from: output) == manifest)

        let items = try NumpyArray.read(from: output.appendingPathComponent(ModelExport.itemsFile))
        #expect(items.shape == [n, d] && items.floats == recommender.items.storage)
        #expect(try Self.lines(output.appendingPathComponent(ModelExport.itemIDsFile)) == recommender.itemIDs)
        #expect(try Self.lines(output.appendingPathComponent(ModelExport.userIDsFile)) == withHistory.map { data.users.ids[$0] })
        #expect(try Data(contentsOf: output.appendingPathComponent("config.json"))
                == Data(contentsOf: Fixture.trained.directory.appendingPathComponent("config.json")))

        // [n_users, K, d] and [n_users, K], against one interestBatch call over every user.
        let interests = try NumpyArray.read(from: output.appendingPathComponent(ModelExport.userInterestsFile))
        let mask = try NumpyArray.read(from: output.appendingPathComponent(ModelExport.userMaskFile))
        let batch = recommender.interestBatch(histories: users.map { ArraySlice($0.history) }, profiles: users.flatMap(\.profile))
        #expect(interests.shape == [withHistory.count, k, d] && mask.shape == [withHistory.count, k])
        #expect(mask.bools == batch.mask)
        let expected = batch.vectors.indices.map { batch.mask[$0 / d] ? batch.vectors[$0] : 0 }
        #expect(interests.floats == expected)
        #expect(batch.mask.contains(false) || k == 1, "the fixture should exercise masked interests")

        // A user's top 10 from the files alone equals `recommend` for that user (scores equal up to rounding).
        let vectors = try #require(interests.floats), flags = try #require(mask.bools), matrix = try #require(items.floats)
        for (row, user) in withHistory.enumerated().prefix(40) {
            let (history, profile) = Self.request(forUser: user)
            let answer = recommender.recommend(history: history, profile: profile, count: 10)
            let active = (0..<k).filter { flags[row * k + $0] }.map { Array(vectors[((row * k + $0) * d)..<((row * k + $0 + 1) * d)]) }
            let excluded = Set(recommender.itemIndices(history).known.map(Int.init))
            let ours = Self.topByMaxInterest(items: matrix, dimension: d, interests: active, history: excluded, count: 10)
            #expect(ours.map { recommender.itemIDs[$0.0] } == answer.items || Self.hasNearTie(answer.scores), "user \(user)")
            #expect(ours.count == answer.scores.count && zip(ours, answer.scores).allSatisfy { abs($0.1 - $1) < 1e-4 }, "user \(user)")
        }
    }

    @Test func withoutUsersOnlyTheItemsAreWrittenAndZeroUsersGiveEmptyArrays() throws {
        let recommender = try Fixture.recommender()
        let scratch = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let itemsOnly = scratch.appendingPathComponent("items-only")
        try ModelExport.write(recommender, modelDirectory: Fixture.trained.directory, users: nil, to: itemsOnly)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: itemsOnly.path))
                == ["items.npy", "item_ids.txt", "config.json", "manifest.json"])

        let noUsers = scratch.appendingPathComponent("no-users")
        try ModelExport.write(recommender, modelDirectory: Fixture.trained.directory, users: [], to: noUsers)
        let interests = try NumpyArray.read(from: noUsers.appendingPathComponent(ModelExport.userInterestsFile))
        let mask = try NumpyArray.read(from: noUsers.appendingPathComponent(ModelExport.userMaskFile))
        #expect(interests.shape == [0, recommender.model.users.interestCount, recommender.items.dimension])
        #expect(mask.shape == [0, recommender.model.users.interestCount] && mask.bools == [])
        #expect(try Self.lines(noUsers.appendingPathComponent(ModelExport.userIDsFile)) == [])
    }

    @Test func anEarlierExportIsReplacedAndNothingElseIsLeftBehind() throws {
        let recommender = try Fixture.recommender()
        let scratch = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("export")
        try ModelExport.write(recommender, modelDirectory: Fixture.trained.directory, users: nil, to: output)
        let users = Array(ModelExport.users(of: Fixture.trained.data, for: recommender).prefix(5))
        let manifest = try ModelExport.write(recommender, modelDirectory: Fixture.trained.directory, users: users, to: output)
        #expect(ExportManifest.read(from: output) == manifest && manifest.userCount == 5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["export"])
    }

    @Test func anOutputThatIsNotAnExportIsRefusedAndLeftUntouched() throws {
        let recommender = try Fixture.recommender()
        let scratch = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let precious = scratch.appendingPathComponent("precious")
        try FileManager.default.createDirectory(at: precious, withIntermediateDirectories: false)
        try Data("keep me".utf8).write(to: precious.appendingPathComponent("notes.txt"))
        try Data("{\"format\": \"mind-dataset\"}".utf8).write(to: precious.appendingPathComponent("manifest.json"))
        #expect(throws: ExportError.outputIsNotAnExport(path: precious.standardizedFileURL.path)) {
            try ModelExport.write(recommender, modelDirectory: Fixture.trained.directory, users: nil, to: precious)
        }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: precious.path)) == ["notes.txt", "manifest.json"])
        #expect(try String(contentsOf: precious.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep me")

        let file = scratch.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        #expect(throws: ExportError.outputIsAFile(path: file.standardizedFileURL.path)) {
            try ModelExport.write(recommender, modelDirectory: Fixture.trained.directory, users: nil, to: file)
        }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path)) == ["precious", "a-file"])
    }
}
