import CKernels

/// Winograd F(2×2, 3×3) and F(4×4, 3×3) convolution (Lavin & Gray 2016) for 3×3, stride-1, pad-1, dilation-1,
/// ungrouped convolutions: every 3×3 convolution of a ResNet that does not downsample. The algebra below is F(2×2);
/// F(4×4) is the same with 6×6 windows, 36 GEMMs and 16 outputs per tile, 4× fewer multiply-adds than the
/// definition (its matrices are in `transformWeights4` and Sources/Engine/CKernels/Winograd4Width.h), for slightly
/// larger rounding (the ⅙ and 1⁄24 of G; ~1e-6 relative to the output's scale on the tests' values).
///
/// Why: as a GEMM on im2col such a conv costs 9 multiply-adds per (output pixel, input channel, output channel);
/// cut into 2×2 output tiles it is 16 GEMMs U[ξ] (O×C) · V[ξ] (C×tiles), 4 multiply-adds per output pixel, 2.25×
/// fewer, and the transformed input (16 values per channel and tile: 4× the input) is less than half of im2col's 9×.
/// Here the GEMM kernel already runs close to the cores' FMA rate, so doing fewer FLOPs is what is left.
///
/// With Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], Aᵀ = [1 1 1 0; 0 1 −1 −1],
/// a 2×2 output tile is Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for the 4×4 input window d at (2i−1, 2j−1). Backward is the
/// exact transpose of that: dM = A·dY·Aᵀ, dU = Σ dM·Vᵀ → dg = Gᵀ dU G, dV = Uᵀ·dM → dx += B dV Bᵀ; so the gradients
/// are exact for the function computed, which equals the convolution up to float rounding (~1e-6 relative).
///
/// Layout: a *plane* is one H×W slice of a channel (an image, or one frame of a clip for a 1×3×3 Conv3d), so
/// channel c's planes are contiguous in the channel-major activations. Tiles are numbered (plane, tile row, tile
/// column); V, M and their gradients have rows (ξ, channel) and a column per tile. The activation transforms are C
/// kernels compiled per ISA (Sources/Engine/CKernels/WinogradBody.h): one tile per vector lane, bit-identical
/// results under every ISA.
enum Winograd {
    /// True when `g` is a convolution Winograd F(2×2, 3×3) computes (with `groups` 1).
    static func applies(_ g: ConvGeometry, groups: Int) -> Bool {
        groups == 1 && g.kernel == (1, 3, 3) && g.stride == (1, 1, 1) && g.padding == (0, 1, 1)
            && g.dilation == (1, 1, 1)
    }

    /// Sizes of one Winograd convolution with output tiles of `tile`×`tile` (2: F(2×2, 3×3), 4: F(4×4, 3×3)).
    struct Shape {
        let channels: Int, outChannels: Int, planes: Int, height: Int, width: Int, tile: Int
        init(_ g: ConvGeometry, outChannels: Int, tile: Int = 2) {
            precondition(tile == 2 || tile == 4, "Winograd tiles are 2×2 or 4×4")
            channels = g.channels
            self.outChannels = outChannels
            planes = g.images * g.depth
            height = g.height
            width = g.width
            self.tile = tile
        }
        var tileRows: Int { (height + tile - 1) / tile }
        var tileCols: Int { (width + tile - 1) / tile }
        var tilesPerPlane: Int { tileRows * tileCols }
        var tiles: Int { planes * tilesPerPlane }
        var plane: Int { height * width }
        /// Values per transformed tile (the ξ of V, U and M): 16 for 2×2 tiles, 36 for 4×4.
        var points: Int { (tile + 2) * (tile + 2) }
        /// Floats of scratch each transform needs (the C kernels' zero-padded plane or per-tile patches).
        var scratchCount: Int {
            tile == 4 ? reel_winograd4_scratch_floats(height, width) : reel_winograd_scratch_floats(height, width)
        }
    }

    // MARK: Weights

    /// U[ξ][o][c] = (G g Gᵀ)[ξ] for every 3×3 kernel g = w[o][c]; `u` holds `points`·O·C floats.
    static func transformWeights(_ w: UnsafePointer<Float>, _ s: Shape, into u: UnsafeMutablePointer<Float>) {
        if s.tile == 4 { return transformWeights4(w, outChannels: s.outChannels, channels: s.channels, into: u) }
        let (outChannels, channels) = (s.outChannels, s.channels)
        let count = outChannels * channels
        // Split over the cores: with 256×256 kernels this is 2 % of a medium-bench step when run on one.
        Parallel.forChunks(count, grain: 1024) { range in for oc in range {
            let g = w + oc * 9
            // h = g·Gᵀ (3×4, a row per kernel row), then U = G·h (4×4).
            let rows = (SIMD4<Float>(g[0], g[1], g[2], 0), SIMD4<Float>(g[3], g[4], g[5], 0), SIMD4<Float>(g[6], g[7], g[8], 0))
            func times(_ r: SIMD4<Float>) -> SIMD4<Float> {
                SIMD4(r[0], (r[0] + r[1] + r[2]) * 0.5, (r[0] - r[1] + r[2]) * 0.5, r[2])
            }
            let h = (times(rows.0), times(rows.1), times(rows.2))
            for k in 0..<4 {
                let a = h.0[k], b = h.1[k], c = h.2[k]
                u[k * count + oc] = a
                u[(4 + k) * count + oc] = (a + b + c) * 0.5
                u[(8 + k) * count + oc] = (a - b + c) * 0.5
                u[(12 + k) * count + oc] = c
            }
        } }
    }

    /// dw[o][c] += Gᵀ dU[·][o][c] G, the transpose of `transformWeights`.
    static func accumulateWeightGradient(_ du: UnsafePointer<Float>, _ s: Shape, into dw: UnsafeMutablePointer<Float>) {
        if s.tile == 4 { return accumulateWeightGradient4(du, outChannels: s.outChannels, channels: s.channels, into: dw) }
        let (outChannels, channels) = (s.outChannels, s.channels)
        let count = outChannels * channels
        Parallel.forChunks(count, grain: 1024) { range in for oc in range {
            // e = dU·G (4×3, a row per ξ row), then dg = Gᵀ·e (3×3).
            func times(_ a: Int) -> SIMD4<Float> {
                let d0 = du[(a * 4) * count + oc], d1 = du[(a * 4 + 1) * count + oc]
                let d2 = du[(a * 4 + 2) * count + oc], d3 = du[(a * 4 + 3) * count + oc]
                return SIMD4(d0 + (d1 + d2) * 0.5, (d1 - d2) * 0.5, (d1 + d2) * 0.5 + d3, 0)
            }
            let e = (times(0), times(1), times(2), times(3))
            let g = dw + oc * 9
            for s in 0..<3 {
                let e0 = e.0[s], e1 = e.1[s], e2 = e.2[s], e3 = e.3[s]
                g[s] += e0 + (e1 + e2) * 0.5
                g[3 + s] += (e1 - e2) * 0.5
                g[6 + s] += (e1 + e2) * 0.5 + e3
            }
        } }
    }

    /// F(4×4, 3×3)'s U = G g Gᵀ (6×6), with G's rows [¼ 0 0], [−⅙ −⅙ −⅙], [−⅙ ⅙ −⅙], [1⁄24 1⁄12 ⅙],
    /// [1⁄24 −1⁄12 ⅙], [0 0 1].
    static func transformWeights4(_ w: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                  into u: UnsafeMutablePointer<Float>) {
        let count = outChannels * channels
        Parallel.forChunks(count, grain: 512) { range in for oc in range {
            let g = w + oc * 9
            // h_r = G·(row r of g), then U[·][b] = G·(h_0[b], h_1[b], h_2[b]).
            let h0 = g6(g[0], g[1], g[2]), h1 = g6(g[3], g[4], g[5]), h2 = g6(g[6], g[7], g[8])
            for b in 0..<6 {
                let col = g6(h0[b], h1[b], h2[b])
                for a in 0..<6 { u[(6 * a + b) * count + oc] = col[a] }
            }
        } }
    }

    /// G·(x0, x1, x2) in lanes 0–5.
    @inline(__always) private static func g6(_ x0: Float, _ x1: Float, _ x2: Float) -> SIMD8<Float> {
        SIMD8(x0 / 4, -(x0 + x1 + x2) / 6, -(x0 - x1 + x2) / 6, x0 / 24 + x1 / 12 + x2 / 6,
              x0 / 24 - x1 / 12 + x2 / 6, x2, 0, 0)
    }

    /// Gᵀ·e for e in lanes 0–5, the transpose of `g6`.
    @inline(__always) private static func gt6(_ e: SIMD8<Float>) -> SIMD4<Float> {
        SIMD4(e[0] / 4 - e[1] / 6 - e[2] / 6 + e[3] / 24 + e[4] / 24,
              -e[1] / 6 + e[2] / 6 + e[3] / 12 - e[4] / 12,
              -e[1] / 6 - e[2] / 6 + e[3] / 6 + e[4] / 6 + e[5], 0)
    }

    /// dw[o][c] += Gᵀ dU[·][o][c] G for F(4×4, 3×3), the transpose of `transformWeights4`.
    static func accumulateWeightGradient4(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                          into dw: UnsafeMutablePointer<Float>) {
        let count = outChannels * channels
        Parallel.forChunks(count, grain: 512) { range in for oc in range {
            // e_a = Gᵀ·(row a of dU), then dg[·][s] = Gᵀ·(e_0[s], …, e_5[s]).
            func row(_ a: Int) -> SIMD4<Float> {
                var r = SIMD8<Float>()
                for b in 0..<6 { r[b] = du[(6 * a + b) * count + oc] }
                return gt6(r)
            }
            let e = (row(0), row(1), row(2), row(3), row(4), row(5))
            let g = dw + oc * 9
            for s in 0..<3 {
                let d = gt6(SIMD8(e.0[s], e.1[s], e.2[s], e.3[s], e.4[s], e.5[s], 0, 0))
                g[s] += d[0]
                g[3 + s] += d[1]
                g[6 + s] += d[2]
            }
        } }
    }

    // MARK: Activations (Sources/Engine/CKernels/WinogradBody.h, per ISA)

    /// V[ξ][c][tile] = (Bᵀ d B)[ξ] for the planes `planes` of `x`, written to `v` (row stride `ld`, the first
    /// plane's tiles at column 0). `scratch` holds `Shape.scratchCount` floats.
    static func transformInput(_ x: UnsafePointer<Float>, _ s: Shape, planes: Range<Int>,
                               into v: UnsafeMutablePointer<Float>, ld: Int, scratch: UnsafeMutablePointer<Float>) {
        (s.tile == 4 ? reel_winograd4_input : reel_winograd_input)(
            x, s.channels, s.planes, s.height, s.width, planes.lowerBound, planes.upperBound, v, ld, scratch)
    }

    /// Y = Aᵀ M A for the tiles of `planes`: M (rows (ξ, o), stride `ld`) to the output planes of `y`.
    static func transformOutput(_ m: UnsafePointer<Float>, ld: Int, _ s: Shape, planes: Range<Int>,
                                into y: UnsafeMutablePointer<Float>) {
        (s.tile == 4 ? reel_winograd4_output : reel_winograd_output)(
            m, ld, s.outChannels, s.planes, s.height, s.width, planes.lowerBound, planes.upperBound, y)
    }

    /// dM = A·dY·Aᵀ for the tiles of `planes` (the transpose of `transformOutput`), written to `dm` (rows (ξ, o),
    /// stride `ld`). `scratch` holds `Shape.scratchCount` floats.
    static func transformOutputGradient(_ dy: UnsafePointer<Float>, _ s: Shape, planes: Range<Int>,
                                        into dm: UnsafeMutablePointer<Float>, ld: Int, scratch: UnsafeMutablePointer<Float>) {
        (s.tile == 4 ? reel_winograd4_output_gradient : reel_winograd_output_gradient)(
            dy, s.outChannels, s.planes, s.height, s.width, planes.lowerBound, planes.upperBound, dm, ld, scratch)
    }

    /// dx = Σ B·dV·Bᵀ over the (overlapping) input windows of the tiles of `planes` (the transpose of
    /// `transformInput`); dV has rows (ξ, c), stride `ld`. Overwrites those planes of `dx`. `scratch` holds
    /// `Shape.scratchCount` floats.
    static func transformInputGradient(_ dv: UnsafePointer<Float>, ld: Int, _ s: Shape, planes: Range<Int>,
                                       into dx: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        (s.tile == 4 ? reel_winograd4_input_gradient : reel_winograd_input_gradient)(
            dv, ld, s.channels, s.planes, s.height, s.width, planes.lowerBound, planes.upperBound, dx, scratch)
    }
}
