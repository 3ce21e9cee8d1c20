import Foundation
import EngineCore

/// `sample_by_class=True` (mmaction2's BaseDataset `class_prob` and ClassSpecificDistributedSampler): class c, with
/// n_c of the N items, is drawn with probability p_c = (n_c / N)^power / Σ_k (n_k / N)^power — `power` 0 weighs the
/// classes equally, 1 the items.
///
/// With `dynamic_length` False (BaseDataset's default), an epoch draws as many items as the dataset has (rounded up
/// to a multiple of the ranks), with replacement, item i with probability p_class(i) / n_class(i). With True, it takes
/// ⌊p_c⌋ copies of each class and ⌊frac(p_c) · n_c⌋ of its items at random, then shuffles (when the loader shuffles):
/// a shorter epoch. mmaction2 appends the random picks' positions within their class as if they were dataset indices
/// (docs/differences.md); Reel takes the class's items at those positions.
public struct ClassSampler: Sendable {
    public let sampling: ClassSampling
    /// Each class's items, classes in order of first appearance (Python's dict order in mmaction2).
    let classes: [(label: Int, items: [Int])]
    /// p_c per entry of `classes`.
    let probabilities: [Double]
    let itemCount: Int

    public init(_ sampling: ClassSampling, labels: [Int]) {
        self.sampling = sampling
        var order: [Int] = [], members: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() {
            if members[label] == nil { order.append(label) }
            members[label, default: []].append(i)
        }
        classes = order.map { ($0, members[$0]!) }
        let n = Double(labels.count)
        let weights = classes.map { pow(Double($0.items.count) / n, sampling.power) }
        let sum = weights.reduce(0, +)
        probabilities = weights.map { $0 / sum }
        itemCount = labels.count
    }

    /// The items an epoch draws over `world` ranks (before each rank's share).
    public func itemsPerEpoch(world: Int) -> Int {
        guard sampling.dynamicLength else { return (itemCount + world - 1) / world * world }
        return zip(classes, probabilities).reduce(0) { total, c in
            total + Int(c.1.rounded(.down)) * c.0.items.count + Int(c.1.truncatingRemainder(dividingBy: 1) * Double(c.0.items.count))
        }
    }

    /// One epoch's dataset indices.
    public func draw(shuffle: Bool, world: Int, rng: inout Philox) -> [Int] {
        guard sampling.dynamicLength else {
            // Multinomial with replacement: the cumulative item weights, searched per uniform draw.
            var cumulative: [Double] = [], total = 0.0
            var itemOf: [Int] = []
            for (c, p) in zip(classes, probabilities) {
                for i in c.items {
                    total += p / Double(c.items.count)
                    cumulative.append(total)
                    itemOf.append(i)
                }
            }
            return (0..<itemsPerEpoch(world: world)).map { _ in
                let u = rng.nextDouble() * total
                var lo = 0, hi = cumulative.count - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
                }
                return itemOf[lo]
            }
        }
        var out: [Int] = []
        for (c, p) in zip(classes, probabilities) {
            for _ in 0..<Int(p.rounded(.down)) { out += c.items }
            var positions = Array(c.items.indices)
            rng.shuffle(&positions)
            out += positions.prefix(Int(p.truncatingRemainder(dividingBy: 1) * Double(c.items.count))).map { c.items[$0] }
        }
        if shuffle { rng.shuffle(&out) }
        return out
    }
}
