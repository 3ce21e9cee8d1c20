import Config

/// Reel's training engine. Tensors, layers, data and the runner arrive with issues 3–5.
public enum EngineInfo {
    public static let version = "0.1.0"
}
