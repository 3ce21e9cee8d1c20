/// Parameter groups of mmcv's DefaultOptimizerConstructor (`paramwise_cfg`) and mmaction2's
/// TSMOptimizerConstructor.
enum ParamGroupBuilder {
    static func paramwise(model: any Module, template: ParamGroup, cfg: OptimizerSpec.Paramwise, hasWeightDecay: Bool) -> [ParamGroup] {
        let (biasLR, biasDecay, normDecay, dwDecay) = (cfg.biasLR, cfg.biasDecay, cfg.normDecay, cfg.dwDecay)
        let customKeys = cfg.customKeys
        var groups: [ParamGroup] = []
        func walk(_ m: any Module, prefix: String) {
            for (name, p) in m.parameters {
                var g = template
                g.parameters = [(name: prefix.isEmpty ? name : prefix + "." + name, parameter: p)]
                defer { groups.append(g) }
                if !p.requiresGrad { continue }
                let full = prefix + "." + name
                if let key = customKeys.first(where: { full.contains($0.key) }) {
                    g.lr = template.lr * key.lr
                    g.initialLR = g.lr
                    if hasWeightDecay { g.weightDecay = template.weightDecay * key.decay }
                    continue
                }
                let isNorm = m.kind == .normalization
                var isDW = false
                if case .convolution(2, let cin, let groupsCount) = m.kind { isDW = cin == groupsCount }
                if name == "bias" && !isNorm { g.lr = template.lr * biasLR; g.initialLR = g.lr }
                if hasWeightDecay {
                    if isNorm { g.weightDecay = template.weightDecay * normDecay }
                    else if isDW { g.weightDecay = template.weightDecay * dwDecay }
                    else if name == "bias" { g.weightDecay = template.weightDecay * biasDecay }
                }
            }
            for (name, child) in m.children { walk(child, prefix: prefix.isEmpty ? name : prefix + "." + name) }
        }
        walk(model, prefix: "")
        return groups
    }

    static func tsm(model: any Module, template: ParamGroup, fcLR5: Bool) throws -> [ParamGroup] {
        typealias P = (name: String, parameter: Parameter)
        var firstW: [P] = [], firstB: [P] = [], normalW: [P] = [], normalB: [P] = [], bn: [P] = []
        var seenConv = false
        for (path, m) in model.namedModules() {
            let own = m.parameters.map { (name: path.isEmpty ? $0.0 : path + "." + $0.0, parameter: $0.1) }
            switch m.kind {
            case .convolution:
                for p in own {
                    let isBias = p.name.hasSuffix(".bias")
                    if !seenConv { if isBias { firstB.append(p) } else { firstW.append(p) } }
                    else if isBias { normalB.append(p) } else { normalW.append(p) }
                }
                seenConv = true
            case .linear:
                for p in own { if p.name.hasSuffix(".bias") { normalB.append(p) } else { normalW.append(p) } }
            case .normalization:
                bn += own.filter { $0.parameter.requiresGrad }
            case .container:
                if !own.isEmpty { throw OptimizerBuildError(description: "TSMOptimizerConstructor: module '\(path)' has parameters of an unknown kind") }
            }
        }
        // The last weight and bias (the classifier) get 5× and 10× the LR with fc_lr5.
        let lastW = normalW.popLast(), lastB = normalB.popLast()
        var lr5: [P] = [], lr10: [P] = []
        if fcLR5 { lr5 = lastW.map { [$0] } ?? []; lr10 = lastB.map { [$0] } ?? [] }
        else { normalW += lastW.map { [$0] } ?? []; normalB += lastB.map { [$0] } ?? [] }
        func group(_ ps: [P], lrMult: Double, decay: Bool) -> ParamGroup {
            var g = template
            g.parameters = ps
            g.lr = template.lr * lrMult
            g.initialLR = g.lr
            g.weightDecay = decay ? template.weightDecay : 0
            return g
        }
        return [group(firstW, lrMult: 1, decay: true), group(firstB, lrMult: 2, decay: false),
                group(normalW, lrMult: 1, decay: true), group(normalB, lrMult: 2, decay: false),
                group(bn, lrMult: 1, decay: false), group(lr5, lrMult: 5, decay: true), group(lr10, lrMult: 10, decay: false)]
    }
}

