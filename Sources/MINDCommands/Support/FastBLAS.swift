import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS reads OPENBLAS_CORETYPE once, when the library loads, and on AVX-512 machines
/// whose CPU it does not recognise (e.g. AMD Zen 4/5) it falls back to its Haswell kernels,
/// about half the speed of its SkylakeX ones. Users should get the fast path without knowing
/// this, so before any work starts `mind` re-executes itself once with the variable set.
enum FastBLAS {
    /// Re-executes the process with OPENBLAS_CORETYPE=SkylakeX when the CPU and kernel support
    /// AVX-512 and the user has not chosen a core type; returns only if no re-exec happened.
    static func ensureBestKernels() {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["MIND_NO_BLAS_REEXEC"] == nil else { return }
        guard cpuSupportsAVX512() else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        setenv("MIND_NO_BLAS_REEXEC", "1", 1)  // never loop, whatever happens below
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", &cArguments)
        // execv only returns on failure: carry on with the default kernels.
        #endif
    }

    /// True when /proc/cpuinfo lists avx512f and avx512bw: the kernel lists them only when the
    /// OS saves the AVX-512 registers, so the SkylakeX kernels can run.
    static func cpuSupportsAVX512() -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512dq") && flags.contains("avx512vl")
    }
}
