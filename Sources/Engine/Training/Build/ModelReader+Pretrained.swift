import Config
import EngineCore
import Foundation

extension ModelReader {
    /// A backbone's `pretrained`: None, or a local weights file (.pth or .safetensors). A URL cannot be fetched: training
    /// refuses it; `config check --build` (`ReadLog.pretrainedURLs == .noted`) warns where the file should go and
    /// builds from scratch. A local path that does not exist is an error either way: the user named a file.
    static func readPretrained(_ b: ConfigReader) throws -> String? {
        guard let p = try b.optionalString("pretrained") else { return nil }
        if p.contains("://") {
            let advice = "download the file and set pretrained to its local path (or None, and use load_from)"
            guard b.log?.pretrainedURLs == .noted else {
                throw b.error("pretrained='\(p)': Reel cannot download weights; \(advice)", key: "pretrained")
            }
            b.warn("pretrained='\(p)' cannot be downloaded by Reel; built from scratch here. Before training, \(advice)",
                   key: "pretrained")
            return nil
        }
        guard FileManager.default.fileExists(atPath: p) else {
            throw b.error("pretrained='\(p)': no such file (relative paths are from the working directory)", key: "pretrained")
        }
        return p
    }
}
