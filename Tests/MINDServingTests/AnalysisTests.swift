import Testing
import MINDRetrieval
@testable import MINDServing

@Suite("Interest analysis")
struct AnalysisTests {
    @Test func setGeometryOnHandMadeVectors() {
        var geometry = SetGeometry()
        // Set 0: orthogonal unit vectors (cosine 0). Set 1: two equal vectors of length 2 (cosine 1) and a third
        // vector out of use.
        let vectors: [Float] = [1, 0, 0, 1, 0, 0,
                                2, 0, 2, 0, 9, 9]
        geometry.add(vectors, count: 2, setSize: 3, dimension: 2) { $0 != 2 && $0 != 5 }
        #expect(geometry.cosine.value == 0.5)
        #expect(geometry.norm.value == 1.5)
        var single = SetGeometry()
        single.add([3, 4], count: 1, setSize: 1, dimension: 2) { _ in true }
        #expect(single.cosine.value == nil, "one vector has no pairs")
        #expect(single.norm.value == 5)
        var withZero = SetGeometry()
        withZero.add([0, 0, 1, 0], count: 1, setSize: 2, dimension: 2) { _ in true }
        #expect(withZero.cosine.value == nil, "a zero vector has no direction")
        #expect(Mean().value == nil)
    }

    @Test func firstInterestAndMeanOfInterests() {
        let batch = InterestBatch(count: 2, interestCount: 2, dimension: 2, vectors: [1, 2, 3, 4, 5, 6, 7, 8], mask: [true, true, true, false])
        let first = batch.keepingFirstInterest()
        #expect(first.mask == [true, false, true, false])
        #expect(first.vectors == batch.vectors)
        let mean = batch.meanOfInterests()
        #expect(mean.interestCount == 1)
        #expect(mean.vectors == [2, 3, 5, 6], "user 1's second interest is masked out")
    }

    @Test func kMeansProbeFindsSeparatedGroupsAndOneClusterIsTheMean() {
        // Items 0-2 near (10, 0), items 3-5 near (0, 10).
        let items = ItemMatrix(count: 6, dimension: 2, storage: [10, 1, 11, 0, 9, -1, 0, 10, 1, 11, -1, 9])
        let history: ArraySlice<Int32> = [0, 3, 1, 4, 2, 5]
        let one = InterestBatch(kMeansOf: [history], items: items, clusters: 1)
        #expect(one.vectors == [5, 5])
        let two = InterestBatch(kMeansOf: [history], items: items, clusters: 2)
        let centres = Set([[two.vectors[0], two.vectors[1]], [two.vectors[2], two.vectors[3]]])
        #expect(centres == [[10, 0], [0, 10]])
        let tooMany = InterestBatch(kMeansOf: [[0, 3]], items: items, clusters: 4)
        #expect(tooMany.mask == [true, true, false, false], "no more clusters than items")
    }

    @Test func sharedDirectionOfTheItemSpace() {
        #expect(ItemMatrix(count: 2, dimension: 2, storage: [1, 1, 2, 2]).sharedDirection() > 0.999)
        #expect(ItemMatrix(count: 2, dimension: 2, storage: [1, 0, -1, 0]).sharedDirection() == 0)
    }
}
