#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps byte strings (ids) to dense Int32 indices in order of first appearance, without making a
/// String per row. Keys are copied once into an arena; the open-addressing table keeps each key's
/// first 8 bytes, length and hash bits in the slot, so looking up a short id (most ids) touches
/// one cache line and never the arena. Plain decimal ids (no sign, no leading zero, below 2^24),
/// the common case in logs, skip hashing: a direct array maps their value to the index, 4 bytes per id.
final class ByteInterner {
    private static let directLimit = 1 << 24
    private var direct: UnsafeMutablePointer<Int32>
    private var directCapacity: Int

    private struct Slot {
        /// First min(8, length) bytes, zero-padded.
        var prefix: UInt64
        /// High 24 bits of the hash, then min(length, 255).
        var tag: UInt32
        /// -1 when empty.
        var index: Int32
    }

    private var slots: UnsafeMutablePointer<Slot>
    private var slotCount: Int
    private var mask: Int
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private var arenaCount = 0
    private var starts: UnsafeMutablePointer<Int>
    private var lengths: UnsafeMutablePointer<Int32>
    private var hashes: UnsafeMutablePointer<UInt64>
    private var keyCapacity: Int
    private(set) var count = 0

    init(expectedCount: Int = 1024) {
        var tableSize = 1024
        while tableSize < expectedCount * 2 { tableSize *= 2 }
        slotCount = tableSize
        mask = tableSize - 1
        slots = .allocate(capacity: tableSize)
        slots.initialize(repeating: Slot(prefix: 0, tag: 0, index: -1), count: tableSize)
        keyCapacity = max(256, expectedCount)
        starts = .allocate(capacity: keyCapacity)
        lengths = .allocate(capacity: keyCapacity)
        hashes = .allocate(capacity: keyCapacity)
        arenaCapacity = 1 << 16
        arena = .allocate(capacity: arenaCapacity)
        directCapacity = 4096
        direct = .allocate(capacity: directCapacity)
        direct.initialize(repeating: -1, count: directCapacity)
    }

    deinit {
        direct.deallocate()
        slots.deallocate()
        starts.deallocate()
        lengths.deallocate()
        hashes.deallocate()
        arena.deallocate()
    }

    /// The bytes of key `index`.
    func key(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena + starts[index], count: Int(lengths[index]))
    }

    /// Key `index` as a String (keys are validated as UTF-8 before insertion).
    func string(_ index: Int) -> String {
        String(decoding: key(index), as: UTF8.self)
    }

    @inline(__always)
    private static func prefix(of bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        if bytes.count >= 8 { return base.loadUnaligned(as: UInt64.self) }
        var word: UInt64 = 0
        withUnsafeMutableBytes(of: &word) { $0.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
        return word
    }

    @inline(__always)
    private static func hash(prefix: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = (prefix ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        if bytes.count > 8, let base = bytes.baseAddress {
            var offset = 8
            while offset + 8 <= bytes.count {
                hash = (hash ^ (hash >> 31) ^ base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
                offset += 8
            }
            if offset < bytes.count {
                var tail: UInt64 = 0
                withUnsafeMutableBytes(of: &tail) {
                    $0.baseAddress!.copyMemory(from: base + offset, byteCount: bytes.count - offset)
                }
                hash = (hash ^ (hash >> 31) ^ tail) &* 0x94D0_49BB_1331_11EB
            }
        }
        hash ^= hash >> 29
        hash = hash &* 0xBF58_476D_1CE4_E5B9
        return hash ^ (hash >> 32)
    }

    /// The index of `bytes`, inserting it when new; `validate` runs only for new keys and may veto them.
    @inline(__always)
    func intern(_ bytes: UnsafeRawBufferPointer, validate: (UnsafeRawBufferPointer) -> Bool) -> Int32? {
        if let value = Self.decimalValue(bytes) {
            if value < directCapacity {
                let known = direct[value]
                if known >= 0 { return known }
            } else {
                growDirect(to: value)
            }
            // Digits are valid UTF-8 and have no line break: no need to validate.
            let index = Int32(count)
            append(bytes, hash: 0)
            direct[value] = index
            return index
        }
        return internHashed(bytes, validate: validate)
    }

    /// The value of a plain decimal id below `directLimit`, else nil.
    @inline(__always)
    private static func decimalValue(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let count = bytes.count
        guard count >= 1 && count <= 7, let base = bytes.baseAddress else { return nil }
        let first = base.load(as: UInt8.self) &- 48
        guard first < 10, first != 0 || count == 1 else { return nil }
        var value = Int(first)
        var offset = 1
        while offset < count {
            let digit = base.load(fromByteOffset: offset, as: UInt8.self) &- 48
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int(digit)
            offset += 1
        }
        return value < directLimit ? value : nil
    }

    private func growDirect(to value: Int) {
        var newCapacity = directCapacity
        while newCapacity <= value { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: direct, count: directCapacity)
        (grown + directCapacity).initialize(repeating: -1, count: newCapacity - directCapacity)
        direct.deallocate()
        direct = grown
        directCapacity = newCapacity
    }

    @inline(__always)
    private func internHashed(_ bytes: UnsafeRawBufferPointer, validate: (UnsafeRawBufferPointer) -> Bool) -> Int32? {
        let prefix = Self.prefix(of: bytes)
        let hash = Self.hash(prefix: prefix, bytes)
        let tag = UInt32(truncatingIfNeeded: hash >> 40) << 8 | UInt32(min(bytes.count, 255))
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry.index < 0 { break }
            if entry.tag == tag && entry.prefix == prefix
                && (bytes.count <= 8 || (Int(lengths[Int(entry.index)]) == bytes.count
                    && memcmp(arena + starts[Int(entry.index)], bytes.baseAddress!, bytes.count) == 0))
            {
                return entry.index
            }
            slot = (slot + 1) & mask
        }
        guard validate(bytes) else { return nil }
        let index = Int32(count)
        append(bytes, hash: hash)
        slots[slot] = Slot(prefix: prefix, tag: tag, index: index)
        if count * 2 > slotCount { rehash() }
        return index
    }

    private func append(_ bytes: UnsafeRawBufferPointer, hash: UInt64) {
        if arenaCount + bytes.count > arenaCapacity {
            var newCapacity = arenaCapacity * 2
            while arenaCount + bytes.count > newCapacity { newCapacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: arena, count: arenaCount)
            arena.deallocate()
            arena = grown
            arenaCapacity = newCapacity
        }
        if count == keyCapacity {
            let newCapacity = keyCapacity * 2
            func regrow<T>(_ pointer: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
                let grown = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
                grown.moveInitialize(from: pointer, count: count)
                pointer.deallocate()
                return grown
            }
            starts = regrow(starts)
            lengths = regrow(lengths)
            hashes = regrow(hashes)
            keyCapacity = newCapacity
        }
        if let source = bytes.baseAddress, bytes.count > 0 {
            (arena + arenaCount).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        starts[count] = arenaCount
        lengths[count] = Int32(bytes.count)
        hashes[count] = hash
        arenaCount += bytes.count
        count += 1
    }

    private func rehash() {
        let newSize = slotCount * 2
        let newSlots = UnsafeMutablePointer<Slot>.allocate(capacity: newSize)
        newSlots.initialize(repeating: Slot(prefix: 0, tag: 0, index: -1), count: newSize)
        let newMask = newSize - 1
        for index in 0..<slotCount where slots[index].index >= 0 {
            let entry = slots[index]
            var slot = Int(truncatingIfNeeded: hashes[Int(entry.index)]) & newMask
            while newSlots[slot].index >= 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = entry
        }
        slots.deallocate()
        slots = newSlots
        slotCount = newSize
        mask = newMask
    }
}
