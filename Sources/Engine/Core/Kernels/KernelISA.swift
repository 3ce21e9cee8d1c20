import CKernels

/// The instruction set Reel's own kernels (Sources/Engine/CKernels) run with, chosen at run time from CPUID.
///
/// Why: the Swift code is compiled for the x86-64 baseline; the C kernels exist once per ISA so a convolution's
/// direct loops, epilogues and activations use AVX2+FMA or AVX-512 where the CPU has them. `REEL_ISA=baseline|avx2|
/// avx512` caps the choice for a whole process; tests set `active` to run every kernel under each supported ISA.
public enum KernelISA: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    case baseline = 0, avx2 = 1, avx512 = 2

    /// The best ISA this CPU and OS support.
    public static var supported: KernelISA { KernelISA(rawValue: Int(reel_isa_supported().rawValue)) ?? .baseline }

    /// The ISA the kernels use now. Setting an ISA the CPU lacks is refused (returns false from `activate`).
    public static var active: KernelISA { KernelISA(rawValue: Int(reel_isa_active().rawValue)) ?? .baseline }

    /// Makes `isa` the active one; false (unchanged) when the CPU does not support it.
    @discardableResult
    public static func activate(_ isa: KernelISA) -> Bool { reel_isa_set(reel_isa(rawValue: UInt32(isa.rawValue))) == 0 }

    /// Every ISA this machine can run, lowest first.
    public static var available: [KernelISA] { allCases.filter { $0 <= supported } }

    /// Whether the CPU has AVX512_BF16 (reported, not used yet).
    public static var hasBF16: Bool { reel_cpu_has_avx512bf16() != 0 }

    public var description: String { String(cString: reel_isa_name(reel_isa(rawValue: UInt32(rawValue)))) }

    public static func < (a: KernelISA, b: KernelISA) -> Bool { a.rawValue < b.rawValue }
}
