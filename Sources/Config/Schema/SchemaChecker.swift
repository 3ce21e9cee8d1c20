/// Validates a resolved config against the component registry. (Being written: see Registry.)
public enum SchemaChecker {
    public static func check(_ config: ResolvedConfig) -> [ConfigError] { [] }
}
