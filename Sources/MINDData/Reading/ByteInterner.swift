/// Maps byte strings (ids) to dense Int32 indices in order of first appearance, without making a
/// String per row: keys are copied once into an arena, looked up by an open-addressing table.
final class ByteInterner {
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private var arenaCount = 0
    private(set) var keyStarts: [Int] = []
    private(set) var keyLengths: [Int32] = []
    private var keyHashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init(expectedCount: Int = 1024) {
        var tableSize = 1024
        while tableSize < expectedCount * 2 { tableSize *= 2 }
        slots = [Int32](repeating: -1, count: tableSize)
        mask = tableSize - 1
        arenaCapacity = 1 << 16
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit { arena.deallocate() }

    var count: Int { keyStarts.count }

    /// The bytes of key `index`.
    func key(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena + keyStarts[index], count: Int(keyLengths[index]))
    }

    /// Key `index` as a String (keys are validated as UTF-8 before insertion).
    func string(_ index: Int) -> String {
        String(decoding: key(index), as: UTF8.self)
    }

    /// The index of `bytes`, if interned.
    @inline(__always)
    func find(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { return nil }
            if keyHashes[Int(entry)] == hash && equal(Int(entry), bytes) { return entry }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `bytes`, inserting it when new; `validate` runs only for new keys and may veto them.
    @inline(__always)
    func intern(_ bytes: UnsafeRawBufferPointer, hash: UInt64, validate: (UnsafeRawBufferPointer) -> Bool) -> Int32? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            if keyHashes[Int(entry)] == hash && equal(Int(entry), bytes) { return entry }
            slot = (slot + 1) & mask
        }
        guard validate(bytes) else { return nil }
        let index = Int32(keyStarts.count)
        append(bytes, hash: hash)
        slots[slot] = index
        if keyStarts.count * 2 > slots.count { rehash() }
        return index
    }

    @inline(__always)
    private func equal(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let length = Int(keyLengths[index])
        guard length == bytes.count else { return false }
        guard length > 0 else { return true }
        return memcmp(arena + keyStarts[index], bytes.baseAddress!, length) == 0
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
        if let source = bytes.baseAddress, bytes.count > 0 {
            (arena + arenaCount).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        keyStarts.append(arenaCount)
        keyLengths.append(Int32(bytes.count))
        keyHashes.append(hash)
        arenaCount += bytes.count
    }

    private func rehash() {
        let newSize = slots.count * 2
        var newSlots = [Int32](repeating: -1, count: newSize)
        let newMask = newSize - 1
        for (index, hash) in keyHashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & newMask
            while newSlots[slot] >= 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = Int32(index)
        }
        slots = newSlots
        mask = newMask
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
