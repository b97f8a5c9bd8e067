import MINDCore
import MINDData
import MINDModels
import MINDRetrieval

extension RecommenderModel {
    /// The catalogue's item vectors as the retrieval index wants them.
    public func itemMatrix() -> ItemMatrix {
        let catalogue = items.catalogue()
        return ItemMatrix(count: catalogue.shape[0], dimension: catalogue.shape[1], storage: catalogue.storage)
    }

    /// Interests of evaluation cases: their histories, with profiles from `dataset` where the model reads them.
    public func interestBatch(for cases: ArraySlice<EvaluationCase>, in dataset: Dataset) -> InterestBatch {
        let profiles = usesProfile ? cases.flatMap { dataset.profile(ofUser: Int($0.user)) } : []
        return interestBatch(histories: cases.map { ArraySlice($0.history) }, profiles: profiles)
    }

    /// Interests of a batch of histories in one tape (profiles [B * F], or empty when unknown).
    public func interestBatch(histories: [ArraySlice<Int32>], profiles: [Int32]) -> InterestBatch {
        let (vectors, mask) = encode(histories: histories, profiles: profiles)
        return InterestBatch(count: histories.count, interestCount: vectors.shape[1], dimension: vectors.shape[2],
                             vectors: vectors.storage, mask: mask.map { $0 != 0 })
    }
}
