import COpenBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm` (the only caller of cblas in Reel).
///
/// Why this shape: activations are channel-major (C×N×H×W), so a convolution's `W[O×K] · col[K×n]` for a tile
/// of images writes straight into the output rows (ldc = N·P), no transposes. The engine calls it from its own
/// workers with OpenBLAS single-threaded, one tile per call (bench/ANCHORS.md §1: channel-major GEMMs are also
/// the orientation that scales best here).
public enum GEMM {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major with leading dimensions lda/ldb/ldc.
    /// op(A) is m×k (A is k×m when `transA`), op(B) is k×n (B is n×k when `transB`).
    @inline(__always)
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The OpenBLAS kernel family in use (e.g. "Cooperlake", "Haswell"): chosen at load time from the CPU, or forced
    /// by the `OPENBLAS_CORETYPE` environment variable.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's own threads: 1 for the engine (see `EngineRuntime`); `reel bench` raises it only for its
    /// stand-alone sgemm figure.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
