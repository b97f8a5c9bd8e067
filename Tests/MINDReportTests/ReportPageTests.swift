import Foundation
import MINDData
import MINDEval
import MINDModels
import MINDRetrieval
import MINDServing
import MINDTestSupport
import Testing
@testable import MINDReport

/// A MIND and a YouTubeDNN model on planted data (items carry a `category` feature), trained once per process.
private let fixture: (data: Dataset, mind: Recommender, mindDirectory: URL, youtube: Recommender) = {
    let trained = SmallModels.trainedDirectory(prefix: "mind-report-tests", users: 300, items: 120, topics: 6,
                                               meanLength: 30, minLength: 12, epochs: 2)
    do {
        let youtube = try SmallModels.train(.youtubednn, on: trained.data, epochs: 2)
        return (trained.data, try Recommender(directory: trained.directory, threads: 1), trained.directory,
                ModelEvaluation.recommender(youtube, for: trained.data, threads: 1))
    } catch {
        preconditionFailure("The report test models could not be built: \(error)")
    }
}()

/// Parses markup as XML; returns the parser's error, if any, and all the text content.
private func parseXML(_ markup: String) -> (error: Error?, text: String) {
    let document = ParsedDocument.parse(markup)
    return (document.error, document.elements.map(\.text).joined(separator: "\n"))
}

@Suite("Explain and report pages", .serialized)
struct ReportPageTests {
    @Test func explanationFollowsTheRouting() throws {
        let (data, mind, _, youtube) = fixture
        let history = Array(data.sequence(ofUser: 3))
        let explanation = mind.explain(history: history, count: 10, perInterest: 5)
        #expect(explanation.weight == .coupling)
        let coupling = try #require(explanation.coupling)
        #expect(coupling.count == explanation.interests.count)
        // Each behaviour's weights over the active interests sum to one.
        for position in explanation.behaviours.indices {
            #expect(abs(coupling.reduce(0) { $0 + $1[position] } - (1)) < 1e-4)
        }
        for interest in explanation.interests {
            let weights = interest.behaviours.map(\.weight)
            #expect(weights == weights.sorted(by: >), "heaviest behaviours first")
            #expect(interest.items.count == 5)
            #expect(interest.items.allSatisfy { !history.contains($0.item) })
        }
        #expect(explanation.recommendations.count == 10)
        #expect(explanation.recommendations.allSatisfy { !history.contains($0.item) })
        // The merged list agrees with the service's ranking.
        #expect(explanation.recommendations == mind.retrieve(histories: [history], count: 10, exclude: [history])[0])
        let first = try #require(explanation.recommendations.first)
        #expect(explanation.support(of: first, count: 2) == Array(try #require(explanation.interest(slot: first.interest)).behaviours.prefix(2).map(\.position)))

        let plain = youtube.explain(history: history, count: 10, perInterest: 5)
        #expect(plain.weight == .similarity)
        #expect(plain.coupling == nil)
        #expect(plain.interests.count == 1)
    }

    @Test("ComiRec-SA, SASRec and SDM are explained by their attention", arguments: [ModelKind.comirecSA, .sasrec, .sdm])
    func attentionTowersAreExplainedByTheirAttention(kind: ModelKind) throws {
        let data = fixture.data
        let recommender = ModelEvaluation.recommender(try SmallModels.train(kind, on: data, epochs: 1), for: data, threads: 1)
        let history = Array(data.sequence(ofUser: 3))
        #expect(history.count > 10, "longer than SDM's session, so its weights cover both terms")
        let explanation = recommender.explain(history: history, count: 10, perInterest: 5)
        #expect(explanation.weight == .attention)
        #expect(explanation.coupling == nil)
        let extracted = recommender.interests(history: history)
        for interest in explanation.interests {
            #expect(interest.weights.count == explanation.behaviours.count)
            #expect(interest.weights.allSatisfy { $0 >= 0 })
            #expect(abs(interest.weights.reduce(0, +) - 1) < 1e-4, "each interest's attention sums to one")
            if kind == .comirecSA {
                // Interest k is exactly sum_l A_kl e_l: the weights shown are what the interest is made of.
                let vector = extracted.vectors[interest.slot]
                let behaviourVectors = explanation.behaviours.map { Array(recommender.items.vector(Int($0))) }
                for j in vector.indices {
                    let rebuilt = zip(behaviourVectors, interest.weights).reduce(Float(0)) { $0 + $1.1 * $1.0[j] }
                    #expect(abs(rebuilt - vector[j]) < 1e-4, "interest \(interest.slot) feature \(j)")
                }
            }
        }
        let page = ExplainPage(explanation: explanation, labels: ItemLabels(ids: data.items.ids), subject: "user 3", modelName: kind.rawValue)
        #expect(page.heatmap().title.contains("Attention"))
    }

    @Test func explainPageRendersEveryFormatAndEscapesTitles() throws {
        let (data, mind, _, _) = fixture
        var ids = data.items.ids
        let awkward = "Tom & Jerry <\"quoted\"> 'x' 🎬"
        let history = Array(data.sequence(ofUser: 7))
        ids[Int(history.last ?? 0)] = awkward
        let labels = ItemLabels(ids: ids)
        let page = ExplainPage(explanation: mind.explain(history: history, count: 8, perInterest: 4), labels: labels,
                               subject: "user <7>", modelName: "mind")
        for markup in [page.svg(), page.html(), page.heatmap().svg()] {
            let parsed = parseXML(markup)
            #expect(parsed.error == nil, "\(String(describing: parsed.error))")
            #expect(parsed.text.contains(awkward) || parsed.text.contains("Tom & Jerry"), "the title reads back as text")
            #expect(!(markup.contains("<\"quoted\">")), "the title is escaped")
        }
        let text = page.text()
        #expect(text.contains("user <7>"))
        for caption in ["What each interest retrieves on its own", "The recommendation (best interest"] {
            #expect(text.components(separatedBy: caption).count == 2, "\(caption): once")
        }
        #expect(text.contains(awkward))

        // With the dataset's categories, the category chart appears and names the topics.
        let withCategories = ExplainPage(explanation: page.explanation, labels: try ItemLabels(dataset: data), subject: "user 7", modelName: "mind")
        let chart = try #require(withCategories.categoryChart())
        #expect(chart.bars.count == 1 + page.explanation.interests.count)
        #expect(withCategories.html().contains("topic_"))
    }

    @Test func reportPageIsSelfContainedWellFormedHTML() throws {
        let (data, mind, directory, youtube) = fixture
        // The fixture trains without a session, so the training log is written here: two epochs, the second best.
        var state = TrainerState()
        state.history = [EpochRecord(epoch: 0, loss: 4.2, validationRecall: 0.1, seconds: 2, samplesPerSecond: 900),
                         EpochRecord(epoch: 1, loss: 3.9, validationRecall: 0.2, seconds: 2, samplesPerSecond: 950)]
        (state.bestEpoch, state.bestRecall, state.finished) = (1, 0.2, true)
        try TrainingLog.writeMetrics(state, to: directory)
        var options = ModelReport.Options()
        options.resamples = 100
        options.diversityBuckets = 3
        let report = try ModelReport.build(model: mind, name: "mind", directory: directory, against: [("youtubednn", youtube)],
                                           dataset: data, options: options)
        #expect(report.evaluations.map(\.name) == ["mind", "youtubednn", "most-popular"])
        #expect(report.comparisons.map(\.againstName) == ["youtubednn", "most-popular"])
        #expect(report.diversity.measure == .categoryEntropy)
        #expect(report.diversity.buckets.count == 3)
        #expect(report.diversity.buckets.reduce(0) { $0 + $1.users } == report.evaluations[0].users.users.count)
        #expect(report.statistics.activeCounts.values.reduce(0, +) == report.statistics.users)
        #expect(report.samples.count == 3)
        #expect(report.training?.epochs.map(\.loss) == [4.2, 3.9])
        #expect(report.training?.bestEpoch == 2)

        let html = ReportPage(report: report, modelPath: directory.path).html()
        #expect(parseXML(html).error == nil)
        #expect(!(html.lowercased().contains("<script")), "no scripts")
        // Nothing is loaded from elsewhere: the only URL is the SVG namespace.
        let urls = html.components(separatedBy: "http").dropFirst().map { "http" + $0.prefix(30) }
        #expect(urls.allSatisfy { $0.hasPrefix("http://www.w3.org/2000/svg") }, "\(urls)")
        #expect(html.contains("weights kept are those of epoch 2"))
        for heading in ["Training loss per epoch", "Validation Recall@50 per epoch", "Evaluation", "What each interest holds", "Interest statistics", "When do multiple interests pay off?"] {
            #expect(html.contains(heading), "\(heading)")
        }
    }

    @Test func diversityBucketsCutUsersIntoEqualGroups() throws {
        // Six users with diversities 0...5; the model hits every truth item of the three most diverse, the other none.
        func evaluation(_ recall: [Double]) -> PerUserEvaluation {
            PerUserEvaluation(cutoffs: [50], users: [10, 11, 12, 13, 14, 15],
                              metrics: recall.map { [RankingMetrics(recall: $0, hitRate: $0, ndcg: $0, precision: $0 / 50)] }, skippedCount: 0)
        }
        let diversity: [Int32: Double] = [10: 5, 11: 4, 12: 3, 13: 2, 14: 1, 15: 0]
        let buckets = try DiversityBuckets(
            measure: .categoryEntropy, diversity: diversity,
            evaluations: [("a", evaluation([1, 1, 1, 0, 0, 0])), ("b", evaluation([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]))],
            cutoff: 50, bucketCount: 2, resamples: 50)
        #expect(buckets.buckets.map(\.users) == [3, 3])
        #expect(buckets.buckets.map(\.lower) == [0, 3])
        #expect(buckets.buckets.map(\.upper) == [2, 5])
        #expect(buckets.buckets[0].recall == [0, 0.5])
        #expect(buckets.buckets[1].recall == [1, 0.5])
        let recallRow = try #require(buckets.buckets[1].comparisons[0].rows.first { $0.metric == .recall })
        #expect(abs(recallRow.difference - (0.5)) < 1e-12)
        #expect(throws: ComparisonError.self) {
            try DiversityBuckets(measure: .categoryEntropy, diversity: diversity,
                                 evaluations: [("a", evaluation([1, 1, 1, 0, 0, 0]))], cutoff: 20, bucketCount: 2)
        }
    }

    @Test func categoryEntropyAndLabels() throws {
        let data = fixture.data
        let labels = try ItemLabels(dataset: data)
        #expect(labels.category?.name == "category")
        let items = (0..<Int32(data.itemCount)).filter { !labels.categories(of: $0).isEmpty }
        let first = try #require(items.first)
        let other = try #require(items.first { labels.categories(of: $0) != labels.categories(of: first) })
        #expect(abs(try #require(labels.categoryEntropy(of: [first, first]))) < 1e-12)
        #expect(abs(try #require(labels.categoryEntropy(of: [first, other])) - 1) < 1e-12)
        #expect(ItemLabels(ids: ["a"]).categoryEntropy(of: [0]) == nil)
        let error = #expect(throws: ItemLabelsError.self) { try ItemLabels(dataset: data, categoryFeature: "genre") }
        #expect("\(String(describing: error))".contains("category"), "the error lists the features there are")
    }
}
