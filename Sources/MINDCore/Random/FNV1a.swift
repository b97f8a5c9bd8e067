/// 64-bit FNV-1a: a fixed hash that does not depend on the process (unlike `Hasher`), for seeds
/// derived from content such as a history or a layer's name.
public struct FNV1a {
    public private(set) var value: UInt64

    /// The FNV offset basis, mixed with `basis` so callers can key the hash.
    public init(basis: UInt64 = 0) { value = 0xcbf2_9ce4_8422_2325 ^ basis }

    /// Folds one word into the hash.
    public mutating func combine(_ word: UInt64) {
        value ^= word
        value = value &* 0x100_0000_01b3
    }
}
