import Config
import EngineCore
import EngineData

/// Reads mmaction2's crop steps (RandomCrop, RandomResizedCrop, MultiScaleCrop, CenterCrop, ThreeCrop, TenCrop)
/// into a `CropStep`.
enum CropReader {
    static func read(_ r: ConfigReader) throws -> CropStep {
        let type = try r.string("type")
        // The multi-view crops have no lazy mode (mmaction2 takes no such argument).
        let lazy = type != "ThreeCrop" && type != "TenCrop" ? try r.bool("lazy", false) : false
        func size(_ key: String) throws -> (Int, Int) {
            let s = try r.ints(key, [])
            guard (s.count == 1 || s.count == 2), s.allSatisfy({ $0 > 0 }) else {
                throw r.error("\(type) needs '\(key)' as a positive int or (w, h)", key: key)
            }
            return s.count == 1 ? (s[0], s[0]) : (s[0], s[1])
        }
        func pair(_ key: String, _ fallback: (Double, Double)) throws -> (Double, Double) {
            r.note(key, .value(.tuple([ConfigValue(.float(fallback.0)), ConfigValue(.float(fallback.1))])))
            guard r.has(key) else { return fallback }
            let v = r.value(key)!
            guard case .tuple(let items) = v.content, items.count == 2, case .float(let a) = items[0].content,
                  case .float(let b) = items[1].content, a <= b else {
                throw r.files.error("'\(key)' must be a tuple of two floats (low, high)", at: v.origin,
                                    note: "mmaction2 rejects ints here: write (0.08, 1.0), not (0.08, 1)")
            }
            return (a, b)
        }
        let kind: CropStep.Kind
        switch type {
        case "RandomCrop":
            guard let v = r.value("size"), let s = v.int, s > 0 else { throw r.error("RandomCrop needs 'size' as a positive int", key: "size") }
            kind = .random(size: s)
        case "RandomResizedCrop":
            kind = .randomResized(area: try pair("area_range", (0.08, 1.0)), aspectRatio: try pair("aspect_ratio_range", (3.0 / 4, 4.0 / 3)))
        case "MultiScaleCrop":
            let (w, h) = try size("input_size")
            if let v = r.value("scales"), !v.isNone, case .list = v.content {
                throw r.files.error("'scales' must be a tuple", at: v.origin)
            }
            let fixed = try r.int("num_fixed_crops", 5)
            guard fixed == 5 || fixed == 13 else { throw r.error("num_fixed_crops must be 5 or 13", key: "num_fixed_crops") }
            kind = .multiScale(inputSize: (w, h), scales: try r.doubles("scales", [1]), maxGap: try r.int("max_wh_scale_gap", 1),
                               randomCrop: try r.bool("random_crop", false), fixedCrops: fixed)
        case "CenterCrop": let (w, h) = try size("crop_size"); kind = .center(width: w, height: h)
        case "ThreeCrop": let (w, h) = try size("crop_size"); kind = .three(width: w, height: h)
        case "TenCrop": let (w, h) = try size("crop_size"); kind = .ten(width: w, height: h)
        default: throw r.error("'\(type)' is not a crop", key: "type")
        }
        return CropStep(typeName: type, kind: kind, lazy: lazy)
    }
}
