import Foundation
import Testing
@testable import MINDData

@Suite struct SyntheticLogsTests {
    let config = SyntheticConfig(users: 300, items: 400, topics: 8, interestsPerUser: 1...3, meanLength: 15)

    @Test func sameSeedSameLogs() {
        let first = SyntheticLogs.generate(config, seed: 11)
        let again = SyntheticLogs.generate(config, seed: 11)
        let other = SyntheticLogs.generate(config, seed: 12)
        #expect(first.items == again.items && first.timestamps == again.timestamps && first.userTopics == again.userTopics)
        #expect(first.items != other.items)
    }

    @Test func plantedInterestsShowInTheLogs() {
        let logs = SyntheticLogs.generate(config, seed: 4)
        #expect(logs.userTopics.allSatisfy { (1...3).contains($0.count) && Set($0).count == $0.count })
        for row in 0..<logs.users.count {
            #expect(logs.userTopics[Int(logs.users[row])].contains(logs.itemTopics[Int(logs.items[row])]))
        }
        // Timestamps strictly increase per user; every user has at least the minimum length.
        var lengths = [Int](repeating: 0, count: config.users)
        for row in 0..<logs.users.count {
            lengths[Int(logs.users[row])] += 1
            if row > 0 && logs.users[row] == logs.users[row - 1] { #expect(logs.timestamps[row] > logs.timestamps[row - 1]) }
        }
        #expect(lengths.allSatisfy { $0 >= 5 })
        let mean = Double(lengths.reduce(0, +)) / Double(config.users)
        #expect(mean > 10 && mean < 20)
        // Zipf: the most popular item of a topic beats the least popular.
        var counts = [Int](repeating: 0, count: config.items)
        for item in logs.items { counts[Int(item)] += 1 }
        #expect(counts.max()! > 5 * max(1, counts.min()!))
    }

    @Test func streamedFilesMatchTheInMemoryLog() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let logs = SyntheticLogs.generate(config, seed: 8)
        let summary = try SyntheticWriter.write(
            config, seed: 8, interactions: directory.path("i.csv"), items: directory.path("items.csv"), usersPerBlock: 64)
        #expect(summary.rows == logs.users.count)
        let table = try InteractionReader.read(directory.path("i.csv"))
        let fromFile = try DatasetBuilder().build(interactions: table).0
        let inMemory = try DatasetBuilder().build(interactions: logs.interactionTable()).0
        for user in 0..<inMemory.userCount {
            let id = inMemory.users.ids[user]
            let fileUser = Int(try #require(fromFile.users.index(of: id)))
            #expect(fromFile.sequence(ofUser: fileUser).map { fromFile.items.ids[Int($0)] }
                == inMemory.sequence(ofUser: user).map { inMemory.items.ids[Int($0)] })
        }
        let items = try AttributeReader.read(directory.path("items.csv"), idColumn: "item_id")
        #expect(items.ids == logs.itemTable().ids && items.columns[0].values == logs.itemTable().columns[0].values)
    }

    @Test func datasetInMemoryHasCategoryFeature() throws {
        let dataset = try SyntheticLogs.generate(config, seed: 1).dataset()
        #expect(dataset.itemFeatures.map(\.name) == ["category"])
        #expect(dataset.itemFeatures[0].vocabulary.count == 9)
        #expect(!dataset.trainingSequences().isEmpty && !dataset.evaluationCases(.test).isEmpty)
    }

    @Test func plantedTopicsMapToDatasetIndices() throws {
        let logs = SyntheticLogs.generate(config, seed: 5)
        let dataset = try logs.dataset(options: PrepareOptions(minUserCount: 8, minItemCount: 8))
        let userTopics = logs.plantedTopics(in: dataset)
        let itemTopics = logs.itemTopics(in: dataset)
        #expect(userTopics.count == dataset.userCount && itemTopics.count == dataset.itemCount)
        for user in 0..<dataset.userCount {
            for item in dataset.sequence(ofUser: user) { #expect(userTopics[user].contains(itemTopics[Int(item)])) }
        }
        let category = dataset.itemFeatures[0]
        for item in 0..<dataset.itemCount {
            #expect(category.vocabulary[Int(category.values(of: item).first!)] == SyntheticLogs.topicLabel(Int(itemTopics[item])))
        }
    }
}

@Suite struct SHA256Tests {
    func digest(_ text: String) -> String {
        Array(text.utf8).withUnsafeBytes { SHA256.portableHex(of: $0) }
    }

    @Test func knownVectors() {
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(digest(String(repeating: "a", count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func portableAndSystemDigestsAgree() {
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        let portable = bytes.withUnsafeBytes { SHA256.portableHex(of: $0) }
        #expect(portable == bytes.withUnsafeBytes { SHA256.hex(of: $0) })
        if let system = bytes.withUnsafeBytes({ SystemSHA256.hex(of: $0) }) { #expect(system == portable) }
        #expect([UInt8]().withUnsafeBytes { SHA256.portableHex(of: $0) } == [UInt8]().withUnsafeBytes { SHA256.hex(of: $0) })
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        var hasher = SHA256()
        for chunk in stride(from: 0, to: bytes.count, by: 37) {
            bytes[chunk..<min(bytes.count, chunk + 37)].withUnsafeBytes { hasher.update($0) }
        }
        #expect(hasher.finalizeHex() == bytes.withUnsafeBytes { SHA256.hex(of: $0) })
    }
}
