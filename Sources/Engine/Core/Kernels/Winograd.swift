import CKernels

/// Winograd F(2×2, 3×3) convolution (Lavin & Gray 2016) for 3×3, stride-1, pad-1, dilation-1, ungrouped
/// convolutions: every 3×3 convolution of a ResNet that does not downsample.
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
/// column); V, M and their gradients have rows (ξ, channel) and a column per tile. Transforms run eight tiles of a
/// tile row at a time in SIMD lanes, through a zero-padded copy of the plane (no bounds checks inside the loops).
enum Winograd {
    /// True when `g` is a convolution Winograd F(2×2, 3×3) computes (with `groups` 1).
    static func applies(_ g: ConvGeometry, groups: Int) -> Bool {
        groups == 1 && g.kernel == (1, 3, 3) && g.stride == (1, 1, 1) && g.padding == (0, 1, 1)
            && g.dilation == (1, 1, 1)
    }

    /// Sizes of one Winograd convolution.
    struct Shape {
        let channels: Int, outChannels: Int, planes: Int, height: Int, width: Int
        init(_ g: ConvGeometry, outChannels: Int) {
            channels = g.channels
            self.outChannels = outChannels
            planes = g.images * g.depth
            height = g.height
            width = g.width
        }
        var tileRows: Int { (height + 1) / 2 }
        var tileCols: Int { (width + 1) / 2 }
        var tilesPerPlane: Int { tileRows * tileCols }
        var tiles: Int { planes * tilesPerPlane }
        var plane: Int { height * width }
        /// Floats of scratch each transform needs (the C kernels' zero-padded plane or per-tile patches).
        var scratchCount: Int { reel_winograd_scratch_floats(height, width) }
        /// Row stride of the padded plane scratch: window columns 2j…2j+3 are read as 16-wide loads at 2j and 2j+2.
        var paddedWidth: Int { 2 * tileCols + 18 }
        var paddedHeight: Int { 2 * tileRows + 2 }
        var swiftScratchCount: Int { paddedHeight * paddedWidth }
    }

    typealias V8 = SIMD8<Float>

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    /// Stores the first `n` lanes (all eight with one store when n is 8).
    @inline(__always) static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self) } else { for l in 0..<n { p[l] = v[l] } }
    }

    // MARK: Weights

    /// U[ξ][o][c] = (G g Gᵀ)[ξ] for every 3×3 kernel g = w[o][c]; `u` holds 16·O·C floats.
    static func transformWeights(_ w: UnsafePointer<Float>, outChannels: Int, channels: Int, into u: UnsafeMutablePointer<Float>) {
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
    static func accumulateWeightGradient(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                         into dw: UnsafeMutablePointer<Float>) {
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

    // MARK: Activations (Sources/Engine/CKernels/WinogradBody.h, per ISA)

    /// V[ξ][c][tile] = (Bᵀ d B)[ξ] for the planes `planes` of `x`, written to `v` (row stride `ld`, the first
    /// plane's tiles at column 0). `scratch` holds `Shape.scratchCount` floats.
    static func transformInput(_ x: UnsafePointer<Float>, _ s: Shape, planes: Range<Int>,
                               into v: UnsafeMutablePointer<Float>, ld: Int, scratch: UnsafeMutablePointer<Float>) {
        reel_winograd_input(x, s.channels, s.planes, s.height, s.width, planes.lowerBound, planes.upperBound, v, ld, scratch)
    }

    /// Y = Aᵀ M A for the tiles of `planes`: M (rows (ξ, o), stride `ld`) to the output planes of `y`.
    static func transformOutput(_ m: UnsafePointer<Float>, ld: Int, _ s: Shape, planes: Range<Int>,
                                into y: UnsafeMutablePointer<Float>) {
        reel_winograd_output(m, ld, s.outChannels, s.planes, s.height, s.width, planes.lowerBound, planes.upperBound, y)
    }

    /// dM = A·dY·Aᵀ for the tiles of `planes` (the transpose of `transformOutput`), written to `dm` (rows (ξ, o),
    /// stride `ld`). `scratch` holds `Shape.scratchCount` floats.
    static func transformOutputGradient(_ dy: UnsafePointer<Float>, _ s: Shape, planes: Range<Int>,
                                        into dm: UnsafeMutablePointer<Float>, ld: Int, scratch: UnsafeMutablePointer<Float>) {
        reel_winograd_output_gradient(dy, s.outChannels, s.planes, s.height, s.width, planes.lowerBound, planes.upperBound,
                                      dm, ld, scratch)
    }

    /// dx = Σ B·dV·Bᵀ over the (overlapping) input windows of the tiles of `planes` (the transpose of
    /// `transformInput`); dV has rows (ξ, c), stride `ld`. Overwrites those planes of `dx`. `scratch` holds
    /// `Shape.scratchCount` floats.
    static func transformInputGradient(_ dv: UnsafePointer<Float>, ld: Int, _ s: Shape, planes: Range<Int>,
                                       into dx: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        reel_winograd_input_gradient(dv, ld, s.channels, s.planes, s.height, s.width, planes.lowerBound, planes.upperBound,
                                     dx, scratch)
    }

    // MARK: Former Swift transforms (temporary)

    /// V[ξ][c][tile] = (Bᵀ d B)[ξ] for the planes `planes` of `x`, written to `v` (row stride `ld`, the first
    /// plane's tiles at column 0). `scratch` holds `Shape.scratchCount` floats, zero outside the plane's interior.
    static func swift_transformInput(_ x: UnsafePointer<Float>, _ s: Shape, planes: Range<Int>,
                               into v: UnsafeMutablePointer<Float>, ld: Int, scratch: UnsafeMutablePointer<Float>) {
        let (tw, th, wp, c) = (s.tileCols, s.tileRows, s.paddedWidth, s.channels)
        let rowStride = c * ld
        for ch in 0..<c {
            for p in planes {
                copy(x + (ch * s.planes + p) * s.plane, rows: s.height, cols: s.width, into: scratch + wp + 1, ld: wp)
                let out = v + ch * ld + (p - planes.lowerBound) * s.tilesPerPlane
                if let per = rowsPerVector(tw) {
                    // Narrow planes: `per` tile rows side by side in the lanes (rows past the plane read its last
                    // tile row and are not stored).
                    var i0 = 0
                    while i0 < th {
                        func windowRow(_ r: Int) -> (V8, V8, V8, V8) {
                            func at(_ t: Int, _ column: Int) -> UnsafePointer<Float> {
                                UnsafePointer(scratch + (2 * min(i0 + t, th - 1) + r) * wp + column)
                            }
                            return rowB(gather(at, tw: tw, column: 0), gather(at, tw: tw, column: 2))
                        }
                        storeV(windowRow(0), windowRow(1), windowRow(2), windowRow(3), out + i0 * tw, rowStride,
                               min(per, th - i0) * tw)
                        i0 += per
                    }
                    continue
                }
                for i in 0..<th {
                    let base = scratch + 2 * i * wp
                    var j0 = 0
                    while j0 < tw {
                        // t = d·B for each window row, then V = Bᵀ·t down the rows.
                        storeV(rowB(base + 2 * j0), rowB(base + wp + 2 * j0), rowB(base + 2 * wp + 2 * j0),
                               rowB(base + 3 * wp + 2 * j0), out + i * tw + j0, rowStride, min(8, tw - j0))
                        j0 += 8
                    }
                }
            }
        }
    }

    /// Tile rows per SIMD row for planes narrower than eight tiles (2 or 4 tiles wide), nil otherwise.
    @inline(__always)
    static func rowsPerVector(_ tileCols: Int) -> Int? { tileCols == 4 || tileCols == 2 ? 8 / tileCols : nil }

    /// Sixteen floats from `8 / tw` tile rows: 2·tw consecutive floats from `at(t, column)` for each.
    @inline(__always)
    static func gather(_ at: (Int, Int) -> UnsafePointer<Float>, tw: Int, column: Int) -> SIMD16<Float> {
        if tw == 4 { return SIMD16(lowHalf: load8(at(0, column)), highHalf: load8(at(1, column))) }
        func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }
        return SIMD16(lowHalf: SIMD8(lowHalf: load4(at(0, column)), highHalf: load4(at(1, column))),
                      highHalf: SIMD8(lowHalf: load4(at(2, column)), highHalf: load4(at(3, column))))
    }

    /// V = Bᵀ·t down the four window rows (each t = d·B), stored as the 16 ξ rows of `n` tiles.
    @inline(__always)
    static func storeV(_ r0: (V8, V8, V8, V8), _ r1: (V8, V8, V8, V8), _ r2: (V8, V8, V8, V8), _ r3: (V8, V8, V8, V8),
                       _ o: UnsafeMutablePointer<Float>, _ rowStride: Int, _ n: Int) {
        store(r0.0 - r2.0, o, n); store(r0.1 - r2.1, o + rowStride, n)
        store(r0.2 - r2.2, o + 2 * rowStride, n); store(r0.3 - r2.3, o + 3 * rowStride, n)
        store(r1.0 + r2.0, o + 4 * rowStride, n); store(r1.1 + r2.1, o + 5 * rowStride, n)
        store(r1.2 + r2.2, o + 6 * rowStride, n); store(r1.3 + r2.3, o + 7 * rowStride, n)
        store(r2.0 - r1.0, o + 8 * rowStride, n); store(r2.1 - r1.1, o + 9 * rowStride, n)
        store(r2.2 - r1.2, o + 10 * rowStride, n); store(r2.3 - r1.3, o + 11 * rowStride, n)
        store(r1.0 - r3.0, o + 12 * rowStride, n); store(r1.1 - r3.1, o + 13 * rowStride, n)
        store(r1.2 - r3.2, o + 14 * rowStride, n); store(r1.3 - r3.3, o + 15 * rowStride, n)
    }

    /// One window row times B for eight horizontally adjacent tiles: (d0 − d2, d1 + d2, d2 − d1, d1 − d3), where dk
    /// is column 2j+k of the padded row.
    @inline(__always)
    static func rowB(_ p: UnsafePointer<Float>) -> (V8, V8, V8, V8) { rowB(load16(p), load16(p + 2)) }

    /// `rowB` from the row's columns 2j, 2j+1 (`a`) and 2j+2, 2j+3 (`b`) already loaded.
    @inline(__always)
    static func rowB(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> (V8, V8, V8, V8) {
        let d0 = a.evenHalf, d1 = a.oddHalf, d2 = b.evenHalf, d3 = b.oddHalf
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// Copies a rows×cols plane into a strided destination.
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>, ld: Int) {
        for r in 0..<rows { (dst + r * ld).update(from: src + r * cols, count: cols) }
    }

    /// Y = Aᵀ M A for the tiles of `planes`: M (rows (ξ, o), stride `ld`, readable 8 floats past its last tile)
    /// to the output planes of `y`. A tile row's two output rows are written 16 columns (eight tiles) at a time,
    /// the two columns of each tile interleaved in registers; the ragged end goes lane by lane. Planes 2 or 4 tiles
    /// wide put 4 or 2 tile rows in one SIMD row.
    static func swift_transformOutput(_ m: UnsafePointer<Float>, ld: Int, _ s: Shape, planes: Range<Int>,
                                into y: UnsafeMutablePointer<Float>) {
        let (tw, th, o, w, h) = (s.tileCols, s.tileRows, s.outChannels, s.width, s.height)
        let rowStride = o * ld
        let lanes = UnsafeMutablePointer<Float>.allocate(capacity: 32)
        defer { lanes.deallocate() }
        for oc in 0..<o {
            for p in planes {
                let dst = y + (oc * s.planes + p) * s.plane
                var src = m + oc * ld + (p - planes.lowerBound) * s.tilesPerPlane
                if let per = rowsPerVector(tw) {
                    // Narrow planes: `per` tile rows per SIMD row; each tile row's 2·tw columns are a segment.
                    var i0 = 0
                    while i0 < th {
                        let (top, bottom) = outputRows(src + i0 * tw, rowStride)
                        store(top, lanes)
                        store(bottom, lanes + 16)
                        for t in 0..<min(per, th - i0) {
                            let r = 2 * (i0 + t)
                            (dst + r * w).update(from: lanes + t * 2 * tw, count: w)
                            if r + 1 < h { (dst + (r + 1) * w).update(from: lanes + 16 + t * 2 * tw, count: w) }
                        }
                        i0 += per
                    }
                    continue
                }
                for i in 0..<th {
                    let top = dst + 2 * i * w, bottom = top + w, hasBottom = 2 * i + 1 < h
                    var j0 = 0
                    while j0 < tw {
                        let (upper, lower) = outputRows(src + j0, rowStride)
                        if 2 * j0 + 16 <= w {
                            store(upper, top + 2 * j0)
                            if hasBottom { store(lower, bottom + 2 * j0) }
                        } else {
                            for c in (2 * j0)..<w {
                                top[c] = upper[c - 2 * j0]
                                if hasBottom { bottom[c] = lower[c - 2 * j0] }
                            }
                        }
                        j0 += 8
                    }
                    src += tw
                }
            }
        }
    }

    /// The two output rows of eight tiles (tile columns interleaved) from their M columns at `q`: s_a = (M_a0 + M_a1 +
    /// M_a2, M_a1 − M_a2 − M_a3) for each row a, then Y = Aᵀ·s.
    @inline(__always)
    static func outputRows(_ q: UnsafePointer<Float>, _ rowStride: Int) -> (SIMD16<Float>, SIMD16<Float>) {
        let (a0, b0) = rowA(q, rowStride), (a1, b1) = rowA(q + 4 * rowStride, rowStride)
        let (a2, b2) = rowA(q + 8 * rowStride, rowStride), (a3, b3) = rowA(q + 12 * rowStride, rowStride)
        return (interleave(a0 + a1 + a2, b0 + b1 + b2), interleave(a1 - a2 - a3, b1 - b2 - b3))
    }

    /// (M0 + M1 + M2, M1 − M2 − M3) for the four ξ rows starting at `q` (stride `stride`): one row of M·A.
    @inline(__always)
    static func rowA(_ q: UnsafePointer<Float>, _ stride: Int) -> (V8, V8) {
        let m0 = load8(q), m1 = load8(q + stride), m2 = load8(q + 2 * stride), m3 = load8(q + 3 * stride)
        return (m0 + m1 + m2, m1 - m2 - m3)
    }

    /// (a0, b0, a1, b1, …): two lanes' columns side by side.
    @inline(__always) static func interleave(_ a: V8, _ b: V8) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        r.evenHalf = a
        r.oddHalf = b
        return r
    }

    @inline(__always) static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// dM = A·dY·Aᵀ for the tiles of `planes` (the transpose of `transformOutput`), written to `dm` (rows (ξ, o),
    /// stride `ld`). `scratch` holds `Shape.scratchCount` floats, zero outside the plane.
    static func swift_transformOutputGradient(_ dy: UnsafePointer<Float>, _ s: Shape, planes: Range<Int>,
                                        into dm: UnsafeMutablePointer<Float>, ld: Int, scratch: UnsafeMutablePointer<Float>) {
        let (tw, th, wp, o) = (s.tileCols, s.tileRows, s.paddedWidth, s.outChannels)
        let rowStride = o * ld
        for oc in 0..<o {
            for p in planes {
                copy(dy + (oc * s.planes + p) * s.plane, rows: s.height, cols: s.width, into: scratch, ld: wp)
                var out = dm + oc * ld + (p - planes.lowerBound) * s.tilesPerPlane
                for i in 0..<th {
                    var j0 = 0
                    while j0 < tw {
                        let n = min(8, tw - j0)
                        let top = load16(scratch + 2 * i * wp + 2 * j0), bottom = load16(scratch + (2 * i + 1) * wp + 2 * j0)
                        // u = dY·Aᵀ per row: (y0, y0 + y1, y0 − y1, −y1); dM = A·u down the two rows.
                        let e0 = top.evenHalf, o0 = top.oddHalf, e1 = bottom.evenHalf, o1 = bottom.oddHalf
                        let zero = V8()
                        let u0 = (e0, e0 + o0, e0 - o0, zero - o0), u1 = (e1, e1 + o1, e1 - o1, zero - o1)
                        let q = out + j0
                        store(u0.0, q, n); store(u0.1, q + rowStride, n)
                        store(u0.2, q + 2 * rowStride, n); store(u0.3, q + 3 * rowStride, n)
                        store(u0.0 + u1.0, q + 4 * rowStride, n); store(u0.1 + u1.1, q + 5 * rowStride, n)
                        store(u0.2 + u1.2, q + 6 * rowStride, n); store(u0.3 + u1.3, q + 7 * rowStride, n)
                        store(u0.0 - u1.0, q + 8 * rowStride, n); store(u0.1 - u1.1, q + 9 * rowStride, n)
                        store(u0.2 - u1.2, q + 10 * rowStride, n); store(u0.3 - u1.3, q + 11 * rowStride, n)
                        store(zero - u1.0, q + 12 * rowStride, n); store(zero - u1.1, q + 13 * rowStride, n)
                        store(zero - u1.2, q + 14 * rowStride, n); store(zero - u1.3, q + 15 * rowStride, n)
                        j0 += 8
                    }
                    out += tw
                }
            }
        }
    }

    /// dx = Σ B·dV·Bᵀ over the (overlapping) input windows of the tiles of `planes` (the transpose of
    /// `transformInput`); dV has rows (ξ, c), stride `ld`, readable 8 floats past its last tile. Overwrites those
    /// planes of `dx`. `scratch` holds `Shape.scratchCount` floats.
    ///
    /// The padded plane is accumulated with its even and odd columns apart (each row: evens, then odds, each half
    /// `paddedWidth / 2` long): a window's columns 2j…2j+3 are then evens j, j+1 and odds j, j+1, so eight
    /// neighbouring windows add as four contiguous vectors; the halves are interleaved into `dx` at the end.
    static func swift_transformInputGradient(_ dv: UnsafePointer<Float>, ld: Int, _ s: Shape, planes: Range<Int>,
                                       into dx: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let (tw, th, wp, c, w) = (s.tileCols, s.tileRows, s.paddedWidth, s.channels, s.width)
        let half = wp / 2
        let rowStride = c * ld
        for ch in 0..<c {
            for p in planes {
                scratch.update(repeating: 0, count: s.swiftScratchCount)
                var src = dv + ch * ld + (p - planes.lowerBound) * s.tilesPerPlane
                for i in 0..<th {
                    var j0 = 0
                    while j0 < tw {
                        let q = src + j0
                        // w = dV·Bᵀ per row a: (v0, v1 − v2 + v3, −v0 + v1 + v2, −v3); patch = B·w down the rows.
                        let w0 = colBT(q, rowStride), w1 = colBT(q + 4 * rowStride, rowStride)
                        let w2 = colBT(q + 8 * rowStride, rowStride), w3 = colBT(q + 12 * rowStride, rowStride)
                        let zero = V8()
                        let p3 = (zero - w3.0, zero - w3.1, zero - w3.2, zero - w3.3)
                        let p1 = (w1.0 - w2.0 + w3.0, w1.1 - w2.1 + w3.1, w1.2 - w2.2 + w3.2, w1.3 - w2.3 + w3.3)
                        let p2 = (w1.0 + w2.0 - w0.0, w1.1 + w2.1 - w0.1, w1.2 + w2.2 - w0.2, w1.3 + w2.3 - w0.3)
                        let n = min(8, tw - j0)
                        let r = scratch + 2 * i * wp + j0
                        addWindowRow(w0, into: r, half: half, n)
                        addWindowRow(p1, into: r + wp, half: half, n)
                        addWindowRow(p2, into: r + 2 * wp, half: half, n)
                        addWindowRow(p3, into: r + 3 * wp, half: half, n)
                        j0 += 8
                    }
                    src += tw
                }
                // dx[r][x] is padded (r + 1, x + 1): x = 2k reads odds k, x = 2k + 1 reads evens k + 1.
                let dst = dx + (ch * s.planes + p) * s.plane
                for r in 0..<s.height {
                    let evens = scratch + (r + 1) * wp, odds = evens + half, out = dst + r * w
                    var k = 0
                    while 2 * k + 16 <= w { store(interleave(load8(odds + k), load8(evens + k + 1)), out + 2 * k); k += 8 }
                    while 2 * k < w {
                        out[2 * k] = odds[k]
                        if 2 * k + 1 < w { out[2 * k + 1] = evens[k + 1] }
                        k += 1
                    }
                }
            }
        }
    }

    /// (v0, v1 − v2 + v3, −v0 + v1 + v2, −v3) for the four ξ rows starting at `q` (stride `stride`).
    @inline(__always)
    static func colBT(_ q: UnsafePointer<Float>, _ stride: Int) -> (V8, V8, V8, V8) {
        let v0 = load8(q), v1 = load8(q + stride), v2 = load8(q + 2 * stride), v3 = load8(q + 3 * stride)
        return (v0, v1 - v2 + v3, v1 + v2 - v0, V8() - v3)
    }

    /// Adds one window row of eight tiles (columns 2j…2j+3 of lane j) to a split padded row (`row` points at
    /// evens j0, `row + half` at odds j0): evens j += c0, odds j += c1, evens j+1 += c2, odds j+1 += c3.
    @inline(__always)
    static func addWindowRow(_ r: (V8, V8, V8, V8), into row: UnsafeMutablePointer<Float>, half: Int, _ n: Int) {
        let odd = row + half
        if n == 8 {
            addStore(r.0, row); addStore(r.1, odd); addStore(r.2, row + 1); addStore(r.3, odd + 1)
        } else {
            for l in 0..<n { row[l] += r.0[l]; odd[l] += r.1[l] }
            for l in 0..<n { row[l + 1] += r.2[l]; odd[l + 1] += r.3[l] }
        }
    }

    @inline(__always) static func addStore(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: load8(p) + v, as: V8.self)
    }
}
