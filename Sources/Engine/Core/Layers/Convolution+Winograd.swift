import Foundation

/// How convolutions are computed.
public enum ConvAlgorithm: String, Sendable {
    /// Winograd (F(4×4, 3×3) or F(2×2, 3×3) by plane width: `winogradTile`) where it applies (3×3, stride 1, pad 1,
    /// no dilation or groups) and pays (planes of at least 4×4); planes the kernel covers whole from every output
    /// (≤ 2×2 for 3×3) as one GEMM over stacked positions (Convolution+WholePlane.swift); im2col + GEMM elsewhere.
    case auto
    /// Winograd wherever it applies, whatever the plane size (for tests of the small-plane edges), with the tile `auto`
    /// picks; im2col elsewhere.
    case winograd
    /// As `winograd` but always F(4×4, 3×3) (for tests of its edges and ragged planes).
    case winograd4
    /// im2col + GEMM everywhere: the plain definition, for comparisons.
    case im2col
    /// The direct kernel wherever it applies (ungrouped, undilated, square stride and padding; Convolution+Direct.swift),
    /// im2col elsewhere: for tests of the direct kernel on every shape.
    case direct
}

extension Convolution {
    /// The algorithm new convolutions start with: `auto` unless the environment sets `REEL_CONV_ALGO=im2col`.
    public static let defaultAlgorithm =
        ConvAlgorithm(rawValue: ProcessInfo.processInfo.environment["REEL_CONV_ALGO"] ?? "") ?? .auto

    /// True when this convolution runs as Winograd on input geometry `g`. Under `auto` not on planes
    /// smaller than 4×4: a 2×2 plane is a single tile, and its transforms cost more than the GEMM work they save
    /// (measured on the small bench's last stage: 6.3 ms fwd+bwd against 4.6 ms for im2col).
    public func usesWinograd(_ g: ConvGeometry) -> Bool {
        switch algorithm {
        case .im2col, .direct: false
        case .winograd, .winograd4: Winograd.applies(g, groups: groups)
        case .auto: Winograd.applies(g, groups: groups) && g.height >= 4 && g.width >= 4
        }
    }

    /// The Winograd tile for geometry `g`: F(4×4, 3×3) on planes at least 24 wide (and 8 high), where it does 4× fewer
    /// multiplications than the definition (F(2×2, 3×3): 2.25×) and transforms 2.25 values per output pixel (4);
    /// F(2×2, 3×3) on narrower planes, where the C transforms' lanes (one 4×4 tile each, a tile row at a time) would
    /// be mostly empty. Measured on 64 planes, one thread, AVX2 (transforms + GEMMs of a forward): 32 channels at
    /// 28×28 6.7 ms (4×4) against 10.1 (2×2); 64 at 14×14 10.3 against 9.1; 128 at 7×7 11.0 against 8.9.
    /// `REEL_WINOGRAD_TILE=2` or `4` forces one (for comparisons and tests).
    func winogradTile(_ g: ConvGeometry) -> Int {
        if algorithm == .winograd4 { return 4 }
        if let forced = Convolution.forcedWinogradTile { return forced }
        return g.height >= 8 && g.width >= 24 ? 4 : 2
    }

    /// `REEL_WINOGRAD_TILE` when it is 2 or 4.
    static let forcedWinogradTile: Int? = ProcessInfo.processInfo.environment["REEL_WINOGRAD_TILE"]
        .flatMap(Int.init).flatMap { $0 == 2 || $0 == 4 ? $0 : nil }

    /// The shape of this convolution's Winograd on geometry `g`.
    func winogradShape(_ g: ConvGeometry) -> Winograd.Shape {
        Winograd.Shape(g, outChannels: outChannels, tile: winogradTile(g))
    }

    /// Planes per block: the block's V and M (`points`·(C+O) floats per tile) about 2 MB, to stay in cache between the
    /// transforms and the GEMMs.
    func winogradBlockPlanes(_ s: Winograd.Shape) -> Int {
        let bytesPerPlane = s.points * (s.channels + s.outChannels) * s.tilesPerPlane * 4
        return max(1, min(s.planes, (2 << 20) / max(1, bytesPerPlane)))
    }

    /// Forward by Winograd: U from the weights, then per block of planes V = Bᵀ d B, M[ξ] = U[ξ]·V[ξ] (one GEMM per
    /// ξ: 16 for 2×2 tiles, 36 for 4×4), Y = Aᵀ M A. Training keeps all of V (`points`·C rows × tiles, reused across
    /// steps like the col matrix) and U.
    func winogradForward(_ x: Tensor, _ g: ConvGeometry, weights: Tensor, epilogue: ConvEpilogue) -> Tensor {
        let s = winogradShape(g), points = s.points
        var y = Tensor(uninitialized: outputShape(g))
        let u = transformedWeights(weights, g) {
            var u = Tensor(uninitialized: [points, outChannels, inChannels])
            weights.withData { w in u.withMutableData { Winograd.transformWeights(w, s, into: $0) } }
            return u
        }
        var saved: Tensor? = nil
        if isTraining {
            if cachedCol?.shape == [points * inChannels, s.tiles] { saved = cachedCol }
            cachedCol = nil
            if saved == nil { saved = Tensor(uninitialized: [points * inChannels, s.tiles]) }
        } else {
            cachedCol = nil
        }
        let savedPointer = saved?.withMutableData { $0 }
        let block = winogradBlockPlanes(s), (o, c, tpp) = (outChannels, inChannels, s.tilesPerPlane)
        x.withData { xp in
            u.withData { up in
                y.withMutableData { yp in
                    Parallel.forChunks(s.planes) { range in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: s.scratchCount)
                        let mBuffer = UnsafeMutablePointer<Float>.allocate(capacity: points * o * block * tpp)
                        let vBuffer = savedPointer == nil ? UnsafeMutablePointer<Float>.allocate(capacity: points * c * block * tpp) : nil
                        defer { scratch.deallocate(); mBuffer.deallocate(); vBuffer?.deallocate() }
                        for start in Swift.stride(from: range.lowerBound, to: range.upperBound, by: block) {
                            let planes = start..<min(range.upperBound, start + block)
                            let n = planes.count * tpp
                            let (v, ldv) = savedPointer.map { ($0 + start * tpp, s.tiles) } ?? (vBuffer!, n)
                            Winograd.transformInput(xp, s, planes: planes, into: v, ld: ldv, scratch: scratch)
                            for xi in 0..<points {
                                GEMM.sgemm(m: o, n: n, k: c, a: up + xi * o * c, lda: c, b: v + xi * c * ldv, ldb: ldv,
                                           c: mBuffer + xi * o * n, ldc: n)
                            }
                            Winograd.transformOutput(mBuffer, ld: n, s, planes: planes, into: yp)
                            epilogue.apply(yp, channels: 0..<o, columns: start * s.plane..<planes.upperBound * s.plane,
                                           total: s.planes * s.plane)
                        }
                    }
                }
            }
        }
        keepForBackward(.winograd, input: x, col: saved, weights: u, g)
        return y
    }

    /// Backward by Winograd: per block dM = A·dY·Aᵀ, then dU += dM[ξ]·V[ξ]ᵀ and dV = U[ξ]ᵀ·dM[ξ] (a GEMM each per ξ),
    /// dx = B·dV·Bᵀ; finally dw += Gᵀ·dU·G. Each worker sums its own dU; the sums are added in worker order.
    func winogradBackward(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> Tensor {
        guard let u = cachedU, let vSaved = cachedCol else { preconditionFailure("Winograd backward without a training forward") }
        let s = winogradShape(g), points = s.points
        let (o, c, tpp) = (outChannels, inChannels, s.tilesPerPlane)
        let wantsWeight = weight.requiresGrad, wantsInput = computesInputGradient
        var dx = Tensor(uninitialized: wantsInput ? x.shape : [0])
        let workers = Parallel.workerCount(s.planes)
        let uCount = points * o * c
        var partial = [Float](repeating: 0, count: wantsWeight ? workers * uCount : 0)
        let block = winogradBlockPlanes(s)
        dy.withData { d in
            u.withData { up in
                vSaved.withData { vp in
                    dx.withMutableData { dxp in
                        partial.withUnsafeMutableBufferPointer { duAll in
                            Parallel.forWorkers(s.planes) { worker, range in
                                let du = wantsWeight ? duAll.baseAddress! + worker * uCount : nil
                                // One scratch for both transforms: each prepares what it reads.
                                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: s.scratchCount)
                                let dm = UnsafeMutablePointer<Float>.allocate(capacity: points * o * block * tpp)
                                let dv = wantsInput ? UnsafeMutablePointer<Float>.allocate(capacity: points * c * block * tpp) : nil
                                defer { scratch.deallocate(); dm.deallocate(); dv?.deallocate() }
                                for start in Swift.stride(from: range.lowerBound, to: range.upperBound, by: block) {
                                    let planes = start..<min(range.upperBound, start + block)
                                    let n = planes.count * tpp
                                    Winograd.transformOutputGradient(d, s, planes: planes, into: dm, ld: n, scratch: scratch)
                                    for xi in 0..<points {
                                        if let du {
                                            GEMM.sgemm(transB: true, m: o, n: c, k: n, a: dm + xi * o * n, lda: n,
                                                       b: vp + xi * c * s.tiles + start * tpp, ldb: s.tiles,
                                                       beta: 1, c: du + xi * o * c, ldc: c)
                                        }
                                        if let dv {
                                            GEMM.sgemm(transA: true, m: c, n: n, k: o, a: up + xi * o * c, lda: c,
                                                       b: dm + xi * o * n, ldb: n, c: dv + xi * c * n, ldc: n)
                                        }
                                    }
                                    if let dv {
                                        Winograd.transformInputGradient(dv, ld: n, s, planes: planes, into: dxp,
                                                                        scratch: scratch)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if wantsWeight {
            partial.withUnsafeMutableBufferPointer { parts in
                // Worker 0's dU += the others', in worker order, split over the cores.
                let du = parts.baseAddress!
                Parallel.forChunks(uCount, grain: 4096) { range in
                    for wk in 1..<max(1, workers) {
                        let part = du + wk * uCount
                        for i in range { du[i] += part[i] }
                    }
                }
                weight.grad.withMutableData { dw in Winograd.accumulateWeightGradient(du, s, into: dw) }
            }
        }
        return wantsInput ? dx : Tensor.zeros([0])
    }
}
