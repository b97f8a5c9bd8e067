/// The additive-attention scorer as one op: a tanh layer over row sums, projected onto a few outputs.
extension Tape {
    /// scores[i] = tanh(A[aRows[i]] + B[bRows[i]]) W for i in 0..<M: A [Ra, n], B [Rb, n], W [n, K] -> [M, K].
    ///
    /// ComiRec-SA scores behaviour i with tanh((e_i + p_i) W1 + b1) W2; with A = E W1 over the distinct items a batch
    /// reads and B = P W1 + b1 over the positions, the wide [n = 4d] layer's matrix products run once per distinct
    /// item instead of once per position. Each row's tanh and K dot products, and backwards all of its gradients, are
    /// computed while the row sits in cache: K (the interest count) is too narrow for BLAS to pay.
    public func tanhProjection(_ a: Variable, rows aRows: [Int32], plus b: Variable, rows bRows: [Int32],
                               projection w: Variable) -> Variable {
        let av = a.value, bv = b.value, wv = w.value
        precondition(wv.rank == 2 && av.rank == 2 && bv.rank == 2 && av.shape[1] == wv.shape[0] && bv.shape[1] == wv.shape[0],
                     "tanhProjection needs A [Ra, n], B [Rb, n] and W [n, K], got \(av.shape), \(bv.shape), \(wv.shape).")
        precondition(aRows.count == bRows.count, "tanhProjection needs one B row per A row, got \(aRows.count) and \(bRows.count).")
        let n = wv.shape[0], k = wv.shape[1], m = aRows.count
        for row in aRows { precondition(row >= 0 && Int(row) < av.shape[0], "Row \(row) is outside A's \(av.shape[0]) rows.") }
        for row in bRows { precondition(row >= 0 && Int(row) < bv.shape[0], "Row \(row) is outside B's \(bv.shape[0]) rows.") }
        let projectionRows = wv.permuted([1, 0])  // [K, n]: each output's weights contiguous
        var scores = Tensor.zeros([m, k])
        // hidden [M, n]: tanh(A[aRows[i]] + B[bRows[i]]), kept for the pullback.
        let hidden = Tensor(shape: [m, n]) { h in
            scores.storage.withUnsafeMutableBufferPointer { s in
                av.storage.withUnsafeBufferPointer { pa in
                    bv.storage.withUnsafeBufferPointer { pb in
                        projectionRows.storage.withUnsafeBufferPointer { pw in
                            for i in 0..<m {
                                TanhProjectionKernels.forwardRow(
                                    a: pa.baseAddress! + Int(aRows[i]) * n, b: pb.baseAddress! + Int(bRows[i]) * n,
                                    projectionRows: pw.baseAddress!, hidden: h.baseAddress! + i * n, scores: s.baseAddress! + i * k, n: n, k: k)
                            }
                        }
                    }
                }
            }
        }
        return record(scores) { g, acc in
            let needsA = acc.needsGradient(a), needsB = acc.needsGradient(b), needsW = acc.needsGradient(w)
            var ga = Tensor.zeros(needsA ? av.shape : [0]), gb = Tensor.zeros(needsB ? bv.shape : [0])
            var gwRows = Tensor.zeros(needsW ? [k, n] : [0])  // dW^T [K, n]
            g.storage.withUnsafeBufferPointer { pg in
                hidden.storage.withUnsafeBufferPointer { ph in
                    projectionRows.storage.withUnsafeBufferPointer { pw in
                        ga.storage.withUnsafeMutableBufferPointer { pga in
                            gb.storage.withUnsafeMutableBufferPointer { pgb in
                                gwRows.storage.withUnsafeMutableBufferPointer { pgw in
                                    for i in 0..<m {
                                        TanhProjectionKernels.pullbackRow(
                                            scoreGradient: pg.baseAddress! + i * k, hidden: ph.baseAddress! + i * n,
                                            projectionRows: pw.baseAddress!,
                                            projectionGradient: needsW ? pgw.baseAddress! : nil,
                                            aGradient: needsA ? pga.baseAddress! + Int(aRows[i]) * n : nil,
                                            bGradient: needsB ? pgb.baseAddress! + Int(bRows[i]) * n : nil, n: n, k: k)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if needsA { acc.add(ga, to: a) }
            if needsB { acc.add(gb, to: b) }
            if needsW { acc.add(gwRows.permuted([1, 0]), to: w) }
        }
    }
}

/// One row of `tanhProjection` each way: 8-wide blocks over its n columns, then the tail one column at a time.
enum TanhProjectionKernels {
    typealias Lanes = VectorMath.Lanes

    /// h = tanh(a + b) [n], then scores[j] = h . W^T[j] for j in 0..<k (the dot products keep their sums in
    /// registers, which one pass carrying k sums across blocks would not).
    @inline(__always)
    static func forwardRow(a: UnsafePointer<Float>, b: UnsafePointer<Float>, projectionRows: UnsafePointer<Float>,
                           hidden: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, n: Int, k: Int) {
        VectorMath.tanh(a, plus: b, hidden, count: n)
        for j in 0..<k { scores[j] = VectorMath.dot(hidden, projectionRows + j * n, count: n) }
    }

    /// Given the row's score gradient g [k], in one pass over the columns: dh = sum_j g_j W^T[j], d(pre) = dh (1 - h^2)
    /// added into the A and B rows the row read, and dW^T[j] += g_j h. A gradient is skipped when its pointer is nil.
    @inline(__always)
    static func pullbackRow(scoreGradient g: UnsafePointer<Float>, hidden: UnsafePointer<Float>, projectionRows: UnsafePointer<Float>,
                            projectionGradient: UnsafeMutablePointer<Float>?, aGradient: UnsafeMutablePointer<Float>?,
                            bGradient: UnsafeMutablePointer<Float>?, n: Int, k: Int) {
        let rawH = UnsafeRawPointer(hidden), rawW = UnsafeRawPointer(projectionRows)
        let rawGW = projectionGradient.map(UnsafeMutableRawPointer.init)
        let rawGA = aGradient.map(UnsafeMutableRawPointer.init), rawGB = bGradient.map(UnsafeMutableRawPointer.init)
        var column = 0
        while column + 8 <= n {
            let offset = column * 4
            let h = rawH.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            var dh = Lanes(repeating: 0)
            for j in 0..<k {
                let gj = Lanes(repeating: g[j]), rowOffset = j * n * 4 + offset
                dh += gj * rawW.loadUnaligned(fromByteOffset: rowOffset, as: Lanes.self)
                if let rawGW {
                    let updated = rawGW.loadUnaligned(fromByteOffset: rowOffset, as: Lanes.self) + gj * h
                    rawGW.storeBytes(of: updated, toByteOffset: rowOffset, as: Lanes.self)
                }
            }
            let dPre = dh * (1 - h * h)
            if let rawGA { rawGA.storeBytes(of: rawGA.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + dPre, toByteOffset: offset, as: Lanes.self) }
            if let rawGB { rawGB.storeBytes(of: rawGB.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + dPre, toByteOffset: offset, as: Lanes.self) }
            column += 8
        }
        while column < n {
            let h = hidden[column]
            var dh: Float = 0
            for j in 0..<k {
                dh += g[j] * projectionRows[j * n + column]
                projectionGradient?[j * n + column] += g[j] * h
            }
            let dPre = dh * (1 - h * h)
            aGradient?[column] += dPre
            bGradient?[column] += dPre
            column += 1
        }
    }
}
