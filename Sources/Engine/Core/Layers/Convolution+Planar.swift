extension Convolution {
    /// For a 3-D conv without a temporal extent ((1, kh, kw), temporal stride 1, no temporal padding): the input as
    /// N·T images of one frame, the same memory. Why: the planar paths that need depth 1 (the whole-plane GEMM, the
    /// shifted-plane im2col) then apply to SlowOnly's and I3D's (1, 3, 3) convs as they do to a 2-D ResNet's.
    func planarShape(_ shape: [Int]) -> [Int]? {
        guard dims == 3, shape.count == 5, shape[2] > 1, kernel.t == 1, stride.t == 1, padding.t == 0 else { return nil }
        return [shape[0], shape[1] * shape[2], 1, shape[3], shape[4]]
    }

    /// `g` with frames as images when `planarShape` applies.
    func planarGeometry(_ g: ConvGeometry) -> ConvGeometry {
        guard dims == 3, g.depth > 1, kernel.t == 1, stride.t == 1, padding.t == 0 else { return g }
        var p = g
        p.images = g.images * g.depth
        p.depth = 1
        return p
    }
}
