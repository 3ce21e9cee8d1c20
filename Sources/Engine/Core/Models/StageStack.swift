/// The backward of a ResNet's stages when several of their outputs leave the network (a neck such as TPN takes them):
/// going down from the last stage, each output's gradient joins the running one at its stage.
enum StageStack {
    /// ∂L/∂(stage 0's input) from ∂L/∂ each output (`outputs`: increasing stage indices, the last stage among them;
    /// `gradients` in the same order), running `stage(i, dy)` for stage i's backward. Nil when `frozenStages` ≥ 0: the
    /// frozen stages and the stem below them need no gradient (and, in eval mode, kept nothing for one).
    static func backward(stages: Int, outputs: [Int], frozenStages: Int, gradients d: [Tensor],
                         stage: (Int, Tensor) -> Tensor) -> Tensor? {
        var g: Tensor?
        for i in (0..<stages).reversed() {
            if i < frozenStages { return nil }
            if let k = outputs.firstIndex(of: i) {
                if var sum = g { Elementwise.add(d[k], into: &sum); g = sum } else { g = d[k] }
            }
            if let dy = g { g = stage(i, dy) }
        }
        return frozenStages < 0 ? g : nil
    }
}
