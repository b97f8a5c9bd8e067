import ArgumentParser
import Foundation
import MINDData
import MINDEval
import MINDServing
import Testing
@testable import MINDCommands

/// `mind explain`, `mind report` and the beyond-accuracy side of `mind evaluate`, run in-process from synthetic logs.
@Suite("explain, report and beyond-accuracy commands", .serialized)
struct PicturesCommandTests {
    @Test func explainReportAndEvaluateFromLogs() throws {
        let workspace = try CommandWorkspace(prefix: "mind-pictures")
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        try run(["synth", "--users", "300", "--items", "120", "--topics", "6", "--seed", "5", "--output", path("logs")])
        try run(["prepare", "--interactions", path("logs/interactions.csv"), "--items", path("logs/items.csv"), "--output", path("data")])
        for model in ["mind", "youtubednn"] {
            try run(["train", "--dataset", path("data"), "--model", model, "--output", path(model), "--epochs", "1",
                     "--embedding-size", "8", "--mlp-hidden", "16", "--negatives", "20", "--interest-diversity", "0.5"])
        }

        try run(["evaluate", "--model", path("mind"), "--dataset", path("data"), "--at", "10,20", "--json", path("m.json")])
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("m.json")))) as? [String: Any]
        let beyond = metrics?["beyondAccuracy"] as? [[String: Any]] ?? []
        #expect(beyond.map { $0["cutoff"] as? Int } == [10, 20])
        #expect((beyond.first?["coverage"] as? Double ?? 0) > 0)
        #expect(beyond.first?["intraListDiversity"] != nil, "the synthetic items have a category feature")
        try run(["evaluate", "--model", path("mind"), "--dataset", path("data"), "--at", "20", "--diversity-factor", "1"])

        // `mind serve --diversity-factor`: categories looked up by item id give the lists `recommend` gives.
        let data = try DatasetStore.load(from: URL(fileURLWithPath: path("data")))
        let opened = try Recommender(directory: URL(fileURLWithPath: path("mind")), threads: 1)
        let served = try #require(try CategoriesByItemID(factor: 1, dataset: data)).applied(to: opened)
        let direct = opened.aggregating(by: try diversityAggregation(factor: 1, facts: CatalogueFacts(dataset: data, labels: ItemLabels(dataset: data))))
        let histories = data.evaluationCases(.test).prefix(20).map { $0.history.map { data.items.ids[Int($0)] } }
        for history in histories {
            #expect(served.recommend(history: history, count: 10).items == direct.recommend(history: history, count: 10).items)
        }
        #expect(histories.contains { served.recommend(history: $0, count: 10).items != opened.recommend(history: $0, count: 10).items },
                "a factor of 1 changes some list")
        #expect(try CategoriesByItemID(factor: 0, dataset: data) == nil)

        // --against-per-user: another system's per-user Recall@N (N the largest cut-off) paired on the same users.
        let perUser = try ModelEvaluation.evaluateEachUser(opened, dataset: data, split: .test, cutoffs: [10, 20])
        let ids = perUser.users.map { data.users.ids[Int($0)] }
        func write(_ values: [String: Any], _ name: String) throws -> String {
            try JSONSerialization.data(withJSONObject: values).write(to: URL(fileURLWithPath: path(name)))
            return path(name)
        }
        let zeros = try write(Dictionary(uniqueKeysWithValues: ids.map { ($0, 0.0) }), "zeros.json")
        let againstZeros = try EvaluateCommand.compareRecall(perUser, name: "mind", userIDs: data.users.ids, with: zeros, resamples: 50)
        #expect(againstZeros.rows.map(\.cutoff) == [20] && againstZeros.againstName == "zeros")
        #expect(abs(againstZeros.rows[0].difference - perUser.summary.rows[1].metrics.recall) < 1e-12)
        let same = try write(Dictionary(uniqueKeysWithValues: zip(ids, perUser.metrics.map { $0[1].recall })), "same.json")
        let againstSame = try EvaluateCommand.compareRecall(perUser, name: "mind", userIDs: data.users.ids, with: same, resamples: 50).rows[0]
        #expect(againstSame.difference == 0 && againstSame.lower == 0 && againstSame.upper == 0)
        try run(["evaluate", "--model", path("mind"), "--dataset", path("data"), "--at", "10,20", "--against-per-user", zeros])
        var missing = Dictionary(uniqueKeysWithValues: ids.map { ($0, 0.5) })
        missing[ids[0]] = nil
        var extra = Dictionary(uniqueKeysWithValues: ids.map { ($0, 0.5) })
        extra["someone-else"] = 0.5
        var outOfRange = Dictionary(uniqueKeysWithValues: ids.map { ($0, 0.5) })
        outOfRange[ids[0]] = 1.5
        for (values, name, says) in [(missing, "missing.json", "no value for user"), (extra, "extra.json", "not evaluated"),
                                     (outOfRange, "range.json", "between 0 and 1"), (["a": "x"], "text.json", "\"a\" must be a number, not a string")] as [([String: Any], String, String)] {
            let file = try write(values, name)
            #expect { try EvaluateCommand.compareRecall(perUser, name: "mind", userIDs: data.users.ids, with: file, resamples: 50) } throws: {
                "\($0)".contains(file) && "\($0)".contains(says)
            }
        }

        let user = data.users.ids[0]
        try run(["explain", "--model", path("mind"), "--user", user, "--output", path("why.svg")])
        try run(["explain", "--model", path("youtubednn"), "--user", user, "--output", path("why.html"), "--top", "5"])
        let svg = try String(contentsOfFile: path("why.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("Coupling weights"))
        #expect(try String(contentsOfFile: path("why.html"), encoding: .utf8).contains("no routing"))

        try run(["report", "--model", path("mind"), "--against", path("youtubednn"), "--output", path("report.html"), "--resamples", "50"])
        let page = try String(contentsOfFile: path("report.html"), encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("When do multiple interests pay off?"))
        #expect(page.contains("interest-diversity"), "the configuration lists the new key")

        // An unknown user and a history of unknown items are errors that name the problem; nothing is written.
        #expect(throws: ExitCode.self) { try run(["explain", "--model", path("mind"), "--user", "nobody", "--output", path("x.svg")]) }
        #expect(throws: ExitCode.self) { try run(["explain", "--model", path("mind"), "--history", "no,such,items"]) }
        #expect(!FileManager.default.fileExists(atPath: path("x.svg")))
    }

    @Test("bad explain and report flags are refused before any work", arguments: [
        ["explain", "--model", "m", "--user", "1", "--history", "a"],
        ["explain", "--model", "m"],
        ["explain", "--model", "m", "--user", "1", "--top", "0"],
        ["explain", "--model", "m", "--user", "1", "--format", "svg"],
        ["explain", "--model", "m", "--user", "1", "--output", "/no/such/dir/x.svg"],
        ["report", "--model", "m", "--output", "/no/such/dir/r.html"],
        ["report", "--model", "m", "--output", "/tmp"],
        ["report", "--model", "m", "--output", "r.html", "--buckets", "0"],
        ["evaluate", "--model", "m", "--dataset", "d", "--diversity-factor", "-1"],
        ["serve", "--model", "m", "--diversity-factor", "1"],
        ["evaluate", "--model", "m", "--dataset", "d", "--against", "x", "--against-per-user", "f.json"],
        ["serve", "--model", "m", "--dataset", "d", "--diversity-factor", "nan"],
    ])
    func badFlagsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try MindCommand.parseAsRoot(arguments) }
    }
}
