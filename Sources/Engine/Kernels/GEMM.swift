import COpenBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm` (the only caller of cblas in Reel).
///
/// Why this shape: every convolution in Reel is one GEMM over all images of a batch (activations are kept
/// channel-major, C×N×H×W, so `W[O×K] · col[K×N·P]` lands directly in the output layout), which gives OpenBLAS
/// the large N it needs to use both cores well (bench/ANCHORS.md §1: the channel-major orientation splits
/// better over 2 threads than the pixel-major one).
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

    /// OpenBLAS worker threads (the machine has 2 cores; call with 1 inside our own parallel loops).
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
