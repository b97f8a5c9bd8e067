#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level helpers for the hot parsing loops: numbers, UTF-8 checks and hashing.
enum FieldParsing {
    /// Parses a decimal number (optional sign, digits, fraction, exponent), ignoring surrounding spaces.
    /// Returns nil for anything else, including nan and infinities.
    @inline(__always)
    static func parseNumber(_ field: UnsafeRawBufferPointer) -> Double? {
        var start = 0
        var end = field.count
        while start < end && field[start] == 0x20 { start += 1 }
        while end > start && field[end - 1] == 0x20 { end -= 1 }
        guard start < end else { return nil }
        var index = start
        var negative = false
        if field[index] == UInt8(ascii: "-") || field[index] == UInt8(ascii: "+") {
            negative = field[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        while index < end {
            let digit = field[index] &- 48
            guard digit < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            digits += 1
            index += 1
        }
        if index < end && field[index] == UInt8(ascii: ".") {
            index += 1
            while index < end {
                let digit = field[index] &- 48
                guard digit < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits += 1
                fractionDigits += 1
                index += 1
            }
        }
        if index == end && digits > 0 && digits <= 15 {
            var value = Double(mantissa)
            if fractionDigits > 0 { value /= powersOfTen[fractionDigits] }
            return negative ? -value : value
        }
        return parseSlow(UnsafeRawBufferPointer(rebasing: field[start..<end]))
    }

    private static let powersOfTen: [Double] = (0...22).map { power in
        var value = 1.0
        for _ in 0..<power { value *= 10 }
        return value
    }

    /// Exponents and long mantissas go through strtod.
    private static func parseSlow(_ field: UnsafeRawBufferPointer) -> Double? {
        guard field.count < 64 else { return nil }
        for byte in field {
            let allowed = (byte >= 48 && byte <= 57) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            if !allowed { return nil }
        }
        var buffer = [CChar](repeating: 0, count: field.count + 1)
        for (index, byte) in field.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        return buffer.withUnsafeBufferPointer { pointer -> Double? in
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(pointer.baseAddress!, &endPointer)
            guard let endPointer, endPointer - UnsafeMutablePointer(mutating: pointer.baseAddress!) == field.count,
                value.isFinite
            else { return nil }
            return value
        }
    }

    /// Whether the bytes are well-formed UTF-8 (ASCII fast path).
    @inline(__always)
    static func isValidUTF8(_ field: UnsafeRawBufferPointer) -> Bool {
        var allASCII = true
        for byte in field where byte >= 0x80 {
            allASCII = false
            break
        }
        if allASCII { return true }
        return String(validating: field, as: UTF8.self) != nil
    }

    /// Whether the bytes contain a line break.
    @inline(__always)
    static func containsLineBreak(_ field: UnsafeRawBufferPointer) -> Bool {
        field.contains(UInt8(ascii: "\n")) || field.contains(UInt8(ascii: "\r"))
    }

    /// A fast 64-bit hash over a byte range (8 bytes per step, multiply-xorshift mixing).
    @inline(__always)
    static func hash(_ field: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(field.count)
        var index = 0
        let count = field.count
        guard let base = field.baseAddress else { return hash }
        while index + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            index += 8
        }
        if index < count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                word |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ word) &* 0x94D0_49BB_1331_11EB
        }
        hash ^= hash >> 29
        hash = hash &* 0xBF58_476D_1CE4_E5B9
        return hash ^ (hash >> 32)
    }
}
