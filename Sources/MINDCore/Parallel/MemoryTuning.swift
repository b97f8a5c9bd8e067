/// Process-wide allocator settings for numeric work.
public enum MemoryTuning {
    /// glibc serves allocations over 128 KiB with fresh mmap pages and returns them on free,
    /// so every batch's tensors page-fault anew (seen in perf: page faults and page clearing
    /// in the kernel, with lock contention between the two training threads). Raising the
    /// thresholds keeps freed buffers in the heap for reuse.
    public static func keepLargeBuffersInHeap() {
        #if os(Linux)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD in <malloc.h>
        _ = glibcMallopt(mmapThreshold, 512 * 1024 * 1024)
        _ = glibcMallopt(trimThreshold, Int32.max)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
