import Foundation
import MINDData

/// Human-readable rendering of a `PrepareReport` (formatting lives at the CLI edge).
enum PrepareReportText {
    static func render(_ report: PrepareReport, dataset: Dataset, output: String) -> String {
        func number(_ value: Int) -> String {
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            formatter.groupingSeparator = ","
            return formatter.string(from: NSNumber(value: value)) ?? String(value)
        }
        var lines: [String] = []
        lines.append("dataset: \(output)")
        lines.append("  users \(number(report.users)), items \(number(report.items)), interactions \(number(report.interactions)), "
            + String(format: "density %.5f", report.density))
        let length = report.sequenceLength
        lines.append("  sequence length: min \(length.min), p50 \(length.p50), p90 \(length.p90), p99 \(length.p99), max \(length.max), "
            + String(format: "mean %.1f", length.mean))
        lines.append("read: \(number(report.rowsRead)) rows, \(number(report.usersRead)) users, \(number(report.itemsRead)) items")
        for (role, kinds) in report.invalidRows.sorted(by: { $0.key < $1.key }) {
            let detail = kinds.sorted { $0.key < $1.key }.map { "\($0.key) \(number($0.value))" }.joined(separator: ", ")
            lines.append("  skipped as invalid (\(role)): \(number(kinds.values.reduce(0, +))) (\(detail))")
        }
        lines.append("  dropped by rating threshold: \(number(report.droppedByRating))")
        lines.append("  dropped by k-core: \(number(report.droppedByKCore)) rows (\(number(report.usersRemovedByKCore)) users, "
            + "\(number(report.itemsRemovedByKCore)) items, \(report.kCorePasses) passes)")
        if dataset.manifest.schema.hasTimestamps {
            lines.append("  rows tied in time with another row of the same user (file order kept): \(number(report.rowsWithTiedTimestamps))")
        } else {
            lines.append("  no timestamp column: file order is the time order")
        }
        let split = dataset.manifest.split
        switch split.kind {
        case .users:
            lines.append("split: users \(split.ratios.map(String.init).joined(separator: ":")), seed \(split.seed): "
                + "train \(number(report.trainUsers)) users (\(number(report.trainingInteractions)) interactions), "
                + "valid \(number(report.validUsers)), test \(number(report.testUsers)); "
                + "history = first \(Int(split.historyFraction * 100))% of each valid/test sequence")
        case .leaveOneOut:
            lines.append("split: leave-one-out: \(number(report.trainingInteractions)) training interactions, "
                + "\(number(report.validCases)) valid and \(number(report.testCases)) test cases")
        }
        if report.usersTooShortToEvaluate > 0 {
            lines.append("  users too short to evaluate: \(number(report.usersTooShortToEvaluate))")
        }
        for (title, decisions, missing) in [("item", report.itemFeatures, report.itemsWithoutAttributes), ("user", report.userFeatures, report.usersWithoutAttributes)]
        where !decisions.isEmpty {
            lines.append("\(title) features:")
            for decision in decisions {
                let mark = decision.used ? "+" : "-"
                let size = decision.used ? " (\(decision.vocabularySize - 1) values\(decision.multiValued ? ", multi-valued" : ""))" : ""
                lines.append("  \(mark) \(decision.column)\(size): \(decision.reason)")
            }
            if missing > 0 { lines.append("  \(number(missing)) \(title)s have no row in the \(title)s file (features unknown)") }
        }
        if let titles = report.itemTitleColumn { lines.append("item titles: \(titles)") }
        return lines.joined(separator: "\n")
    }
}
