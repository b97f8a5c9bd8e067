import MINDCore
import MINDNN

/// SDM's user tower (Lv et al., CIKM 2019), one vector per user:
/// - short term, the session (the last `short-term-length` behaviours; the data carry no session
///   boundaries): LSTM, multi-head self-attention, then attention with the profile embedding e_u as query -> s;
/// - long term, the earlier behaviours: for each feature subset (item ids, each item side feature such
///   as genres) attention with e_u, the results concatenated and through a dense tanh layer -> p;
/// - gated fusion: G = sigmoid(W1 e_u + W2 s + W3 p + b), o = (1 - G) * p + G * s.
/// e_u is the profile's embedding projected to d, or one learned vector when the data have no profiles;
/// profile dropout trains the "unknown" profile, so users without one still get good vectors.
public final class SDMUserTower: AttentionUserTower {
    public let config: ModelConfig
    /// The item tower's embeddings, read per feature subset for the long term (owned and listed by the item tower).
    let items: ItemTower
    let profile: ProfileEncoder?
    /// The profile embedding's projection to d, or (no profile) the learned user vector as its bias.
    let userProjection: Linear?
    let userVector: Parameter?
    let lstm: LSTM
    let attention: MultiHeadAttention
    let longTerm: Linear
    /// [e_u, s, p] -> G: W1 | W2 | W3 stacked, with b.
    let gate: Linear

    public init(config: ModelConfig, schema: DataSchema, items: ItemTower, generator: inout SeededGenerator) {
        self.config = config
        self.items = items
        let d = config.embeddingSize
        if config.useProfile && !schema.userFeatures.isEmpty {
            let encoder = ProfileEncoder(specs: schema.userFeatures, dimensionPerFeature: max(4, d / 4), generator: &generator)
            profile = encoder
            userProjection = Linear(name: "sdm.user", input: encoder.outputSize, output: d, generator: &generator)
            userVector = nil
        } else {
            profile = nil
            userProjection = nil
            userVector = Parameter(name: "sdm.user", value: .randomNormal([d], standardDeviation: 0.05, using: &generator))
        }
        lstm = LSTM(name: "sdm.lstm", input: d, hidden: d, generator: &generator)
        attention = MultiHeadAttention(name: "sdm.attention", size: d, heads: config.attentionHeads, generator: &generator)
        longTerm = Linear(name: "sdm.long-term", input: d * (1 + schema.itemFeatures.count), output: d, generator: &generator)
        gate = Linear(name: "sdm.gate", input: 3 * d, output: d, generator: &generator)
    }

    public var parameters: [Parameter] {
        (profile?.parameters ?? []) + (userProjection?.parameters ?? []) + (userVector.map { [$0] } ?? [])
            + lstm.parameters + attention.parameters + longTerm.parameters + gate.parameters
    }
    public var interestCount: Int { 1 }
    public var usesProfile: Bool { profile != nil }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        singleInterest(fused(tape, batch: batch, behaviours: behaviours).output)
    }

    /// Each behaviour's share of the user vector's attention: the session's pooling weights scaled by the mean
    /// gate G (the short term's share of o), the long-term behaviours' weights (averaged over the feature
    /// subsets) by 1 - mean G: [B, 1, L]. A row sums to 1, or to mean G when nothing precedes the session.
    public func behaviourAttention(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Tensor? {
        let parts = fused(tape, batch: batch, behaviours: behaviours)
        let b = batch.size, l = batch.length, s = parts.windows.shortLength, d = config.embeddingSize
        let session = parts.sessionWeights.value.storage, gate = parts.gate.value.storage  // [B * S], [B * d]
        let longTerm = parts.longTermWeights.map(\.value.storage)  // subsets x [B * L]
        var attention = Tensor.zeros([b, 1, l])
        for sample in 0..<b {
            let shortShare = gate[(sample * d)..<((sample + 1) * d)].reduce(0, +) / Float(d)
            for position in 0..<l {
                let mean = longTerm.reduce(0) { $0 + $1[sample * l + position] } / Float(longTerm.count)
                attention.storage[sample * l + position] = (1 - shortShare) * mean
            }
            for slot in 0..<s where parts.windows.sessionMask[sample * s + slot] != 0 {
                attention.storage[Int(parts.windows.sessionRows[sample * s + slot])] += shortShare * session[sample * s + slot]
            }
        }
        return attention
    }

    /// o with what formed it: the session's pooling weights [B, S], each long-term subset's weights [B, L], G [B, d].
    private func fused(_ tape: Tape, batch: UserBatch, behaviours: Variable)
        -> (output: Variable, sessionWeights: Variable, longTermWeights: [Variable], gate: Variable, windows: SessionWindows) {
        let user = userEmbedding(tape, batch: batch)  // e_u: [B, d]
        let windows = SessionWindows(batch: batch, shortTermLength: config.shortTermLength)
        let short = shortTerm(tape, behaviours: behaviours, windows: windows, user: user)  // s: [B, d]
        let long = longTermPreference(tape, batch: batch, windows: windows, user: user)  // p: [B, d]
        let fusion = tape.sigmoid(gate(tape.concat([user, short.pooled, long.preference], axis: 1)))  // G: [B, d]
        // o = (1 - G) * p + G * s = p + G * (s - p)
        let output = tape.add(long.preference, tape.multiply(fusion, tape.subtract(short.pooled, long.preference)))
        return (output, short.weights, long.weights, fusion, windows)
    }

    /// e_u: [B, d].
    func userEmbedding(_ tape: Tape, batch: UserBatch) -> Variable {
        if let profile, let userProjection { return userProjection(profile(tape, profiles: batch.profiles, batch: batch.size)) }
        let d = config.embeddingSize
        return tape.add(tape.constant(.zeros([batch.size, d])), tape.parameter(userVector!))
    }

    /// s: the session through the LSTM and self-attention, pooled by attention with e_u (weights [B, S]).
    func shortTerm(_ tape: Tape, behaviours: Variable, windows: SessionWindows, user: Variable) -> (pooled: Variable, weights: Variable) {
        let b = windows.batchSize, l = behaviours.shape[1], d = config.embeddingSize, s = windows.shortLength
        let session = tape.gather(tape.reshape(behaviours, [b * l, d]), indices: windows.sessionRows, indexShape: [b, s])  // [B, S, d]
        let (states, _) = lstm(session, mask: windows.sessionMask)  // [B, S, d]
        let attended = attention(states, keyMask: windows.sessionMask, causal: false)  // [B, S, d]
        return pool(tape, attended, query: user, mask: windows.sessionMask)
    }

    /// p: per feature subset of the long-term behaviours, attention with e_u (weights [B, L] per subset);
    /// concatenated, dense, tanh.
    func longTermPreference(_ tape: Tape, batch: UserBatch, windows: SessionWindows, user: Variable)
        -> (preference: Variable, weights: [Variable]) {
        let b = batch.size, l = batch.length
        var subsets = [items.identity(tape, batch.histories, shape: [b, l])]  // [B, L, d] each
        for (feature, embedding) in zip(items.features, items.featureEmbeddings) {
            let (offsets, values) = feature.subset(batch.histories)
            subsets.append(tape.reshape(embedding.pooled(tape, offsets: offsets, values: values), [b, l, config.embeddingSize]))
        }
        let pooled = subsets.map { pool(tape, $0, query: user, mask: windows.longTermMask) }  // [B, d] each
        let joined = pooled.count == 1 ? pooled[0].pooled : tape.concat(pooled.map(\.pooled), axis: 1)
        return (tape.tanh(longTerm(joined)), pooled.map(\.weights))
    }

    /// sum_t softmax_t(q . x_t) x_t over the unmasked t: x [B, T, d], q [B, d], mask [B * T] -> [B, d], with the
    /// weights [B, T]; zero where every position is masked (a user with no long-term behaviours).
    func pool(_ tape: Tape, _ x: Variable, query: Variable, mask: [Float]) -> (pooled: Variable, weights: Variable) {
        let b = x.shape[0], t = x.shape[1], d = x.shape[2]
        let scores = tape.reshape(tape.batchedMatmul(x, tape.reshape(query, [b, d, 1])), [b, t])  // [B, T]
        let weights = tape.softmax(scores, axis: 1, mask: Tensor(shape: [b, t], storage: mask))
        return (tape.reshape(tape.batchedMatmul(tape.reshape(weights, [b, 1, t]), x), [b, d]), weights)
    }
}

/// Where each sample's session (short term) and long-term behaviours sit in a padded batch.
struct SessionWindows {
    let batchSize: Int
    /// S, the session slots per sample.
    let shortLength: Int
    /// [B * S] rows of the flattened [B * L, d] behaviours: sample b's last min(S, n) behaviours, oldest first.
    let sessionRows: [Int32]
    /// [B * S] 1 for a real session slot.
    let sessionMask: [Float]
    /// [B * L] 1 for a real behaviour before the session.
    let longTermMask: [Float]

    init(batch: UserBatch, shortTermLength: Int) {
        let b = batch.size, l = batch.length, s = min(shortTermLength, l)
        var rows = [Int32](repeating: 0, count: b * s), session = [Float](repeating: 0, count: b * s)
        var longTerm = [Float](repeating: 0, count: b * l)
        for sample in 0..<b {
            let count = batch.historyCounts[sample], inSession = min(s, count), start = count - inSession
            for slot in 0..<inSession {
                rows[sample * s + slot] = Int32(sample * l + start + slot)
                session[sample * s + slot] = 1
            }
            for position in 0..<start { longTerm[sample * l + position] = 1 }
        }
        batchSize = b
        shortLength = s
        sessionRows = rows
        sessionMask = session
        longTermMask = longTerm
    }
}
