import Testing
import MINDCore
@testable import MINDModels

/// The two penalties against routing collapse on inputs worked out by hand (their gradients are checked through the
/// whole loss in TrainingTests).
@Suite("Interest regularisers")
struct InterestRegularisersTests {
    func similarity(_ vectors: [Float], users: Int, interests: Int, dimension: Int, mask: [Float]) -> Float {
        let tape = Tape()
        let input = tape.constant(Tensor(shape: [users, interests, dimension], storage: vectors))
        return InterestRegularisers.interestSimilarity(tape, interests: input, mask: mask).value.scalar
    }

    @Test func similarityIsZeroForOrthogonalAndOneForParallelInterests() {
        // User 0: (1,0) and (0,2), orthogonal. User 1: (1,1) and (3,3), parallel.
        let vectors: [Float] = [1, 0, 0, 2, 1, 1, 3, 3]
        #expect(abs(similarity(vectors, users: 2, interests: 2, dimension: 2, mask: [1, 1, 1, 1]) - 0.5) < 1e-5)
        #expect(abs(similarity(vectors, users: 2, interests: 2, dimension: 2, mask: [1, 1, 0, 0]) - 0) < 1e-5)
        #expect(abs(similarity(vectors, users: 2, interests: 2, dimension: 2, mask: [0, 0, 1, 1]) - 1) < 1e-5)
        // A user with one active interest has no pair and adds nothing; opposite vectors count as alike (cos^2 = 1).
        #expect(abs(similarity([1, 0, -2, 0], users: 1, interests: 2, dimension: 2, mask: [1, 1]) - 1) < 1e-5)
        #expect(similarity([1, 0, -2, 0], users: 1, interests: 2, dimension: 2, mask: [1, 0]) == 0)
        // 45 degrees: cos^2 = 0.5.
        #expect(abs(similarity([1, 0, 1, 1], users: 1, interests: 2, dimension: 2, mask: [1, 1]) - 0.5) < 1e-5)
    }

    @Test func routingVarianceFollowsTheRealBehavioursOnly() {
        // One user, two interests, three positions of which the last is padding; d = 2.
        // Interest 0 weights 0.9, 0.1 over the real behaviours: squared deviations 0.16 + 0.16, / d = 0.16, squared 0.0256.
        // Interest 1 weights 0.5, 0.5: variance 0. Padding carries weight 0.7 that must be ignored.
        let tape = Tape()
        let weights = tape.constant(Tensor(shape: [1, 2, 3], storage: [0.9, 0.1, 0.7, 0.5, 0.5, 0.7]))
        let mask = Tensor(shape: [1, 2, 3], storage: [1, 1, 0, 1, 1, 0])
        let value = InterestRegularisers.routingVariance(tape, weights: weights, mask: mask, dimension: 2).value.scalar
        #expect(abs(value - 0.0256) < 1e-6)
    }

    @Test func noPenaltyWhenTheWeightsAreZero() {
        var config = ModelConfig()
        config.interestCount = 2
        let tape = Tape()
        let interests = UserInterests(vectors: tape.constant(Tensor(shape: [1, 2, 2], storage: [1, 0, 1, 0])), mask: [1, 1], interestCount: 2)
        #expect(InterestRegularisers.penalty(tape, interests: interests, config: config) == nil)
        config.interestDiversityWeight = 2
        let penalty = InterestRegularisers.penalty(tape, interests: interests, config: config)
        #expect(abs((penalty?.value.scalar ?? 0) - 2) < 1e-5)
    }
}
