#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A read-only memory map of a whole file, so that multi-gigabyte logs are parsed without a copy.
public final class MappedFile: @unchecked Sendable {
    /// The file this map was made from.
    public let url: URL
    /// The file's bytes; valid for the lifetime of this object.
    public let bytes: UnsafeRawBufferPointer
    private let mappedLength: Int

    /// Maps `url` read-only; an empty file gives an empty buffer.
    public init(url: URL) throws {
        self.url = url
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw DataReadError.cannotOpen(file: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw DataReadError.cannotOpen(file: url.path, reason: String(cString: strerror(errno)))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw DataReadError.cannotOpen(file: url.path, reason: "is a directory")
        }
        let length = Int(status.st_size)
        mappedLength = length
        if length == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw DataReadError.cannotOpen(file: url.path, reason: String(cString: strerror(errno)))
        }
        #if canImport(Glibc)
        _ = madvise(address, length, MADV_SEQUENTIAL)
        #endif
        bytes = UnsafeRawBufferPointer(start: address, count: length)
    }

    deinit {
        if mappedLength > 0, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        }
    }
}
