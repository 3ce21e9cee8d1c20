extension ModelBuilder {
    /// The backbones of C3D, R(2+1)D, CSN and X3D (the ResNet3d family's other members), from-scratch init.
    static func buildFamilyBackbone(_ backbone: ModelSpec.Backbone, rng: inout Philox) -> any Backbone {
        switch backbone {
        case .c3d(let s): return C3D(s, rng: &rng)
        case .resnet2plus1d(let s): return ResNet3d(s, variant: .r2plus1d, rng: &rng)
        case .csn(let s): return ResNet3d(s.resnet, variant: s.variant, rng: &rng)
        case .x3d(let s): return X3D(s, rng: &rng)
        case .resnet, .resnet3d, .slowFast: preconditionFailure("built by fromScratch")
        }
    }
}
