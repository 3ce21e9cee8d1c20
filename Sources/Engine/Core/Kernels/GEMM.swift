import CKernels
import COpenBLAS
import Foundation

/// Matrix products: Reel's own register-blocked kernels (`reel_sgemm` for op(A)·B, `reel_sgemm_nt` for A·Bᵀ) when
/// `backend` is `reel`, else OpenBLAS's `cblas_sgemm` (the only caller of cblas in Reel).
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
        if alpha == 1 && (beta == 0 || beta == 1) && usesOwnKernel {
            if !transB {
                reel_sgemm(transA ? 1 : 0, m, n, k, a, lda, b, ldb, beta, c, ldc)
                return
            }
            // A·Bᵀ: the weight gradients dW = dY·colᵀ (no caller multiplies Aᵀ·Bᵀ, which stays with OpenBLAS).
            if !transA {
                reel_sgemm_nt(m, n, k, a, lda, b, ldb, beta, c, ldc)
                return
            }
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Where the engine's GEMMs run: Reel's own register-blocked kernel (`reel_sgemm`) or OpenBLAS.
    public enum Backend: String, Sendable { case reel, openblas }

    /// `REEL_GEMM` (`reel` or `openblas`) when the environment sets it, else `reel` when the kernels run AVX-512.
    /// Why: the convolutions' GEMMs are small (A is a layer's weights, B a cache-sized tile) and single-threaded per
    /// worker, where OpenBLAS spends a large share packing; and an OpenBLAS that does not know the CPU (or is pinned by
    /// OPENBLAS_CORETYPE) runs its AVX2 kernels on an AVX-512 machine. With AVX2 only, OpenBLAS's Haswell kernels are
    /// kept (measured on the medium bench: Reel's AVX2 build of its kernel took the convolutions from 379 to 445 ms).
    public static var backend: Backend {
        if let forced { return forced }
        return KernelISA.active == .avx512 ? .reel : .openblas
    }
    static let forced = Backend(rawValue: ProcessInfo.processInfo.environment["REEL_GEMM"] ?? "")
    @inline(__always) static var usesOwnKernel: Bool { backend == .reel }

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
