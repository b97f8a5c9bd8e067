import Foundation

/// A directory packed into one fuzz input: each file is a line `#@# name` followed by its bytes, up to
/// the next such line. Text stays readable in a corpus file, and libFuzzer's mutations of one file's
/// bytes leave the others intact. Names with a `/` or starting with `.` are dropped.
public enum FileArchive {
    static let marker = Array("#@# ".utf8)

    /// The (name, bytes) pairs of `input`, in order; bytes before the first marker are ignored.
    public static func unpack(_ input: UnsafeRawBufferPointer) -> [(name: String, bytes: [UInt8])] {
        let bytes = Array(input)
        var starts: [Int] = []
        var index = 0
        while index + marker.count <= bytes.count {
            if (index == 0 || bytes[index - 1] == 0x0A) && bytes[index..<(index + marker.count)].elementsEqual(marker) {
                starts.append(index)
            }
            index += 1
        }
        var files: [(name: String, bytes: [UInt8])] = []
        for (position, start) in starts.enumerated() {
            let end = position + 1 < starts.count ? starts[position + 1] : bytes.count
            let nameStart = start + marker.count
            let nameEnd = bytes[nameStart..<end].firstIndex(of: 0x0A) ?? end
            let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
            // The newline before the next marker belongs to the marker, not to this file.
            var contentEnd = end
            if position + 1 < starts.count && contentEnd > nameEnd { contentEnd -= 1 }
            let content = nameEnd < contentEnd ? Array(bytes[(nameEnd + 1)..<contentEnd]) : []
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.utf8.count < 200 else { continue }
            files.append((name, content))
        }
        return files
    }

    /// The inverse of `unpack`, for writing seeds.
    public static func pack(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var output: [UInt8] = []
        for (position, file) in files.enumerated() {
            if position > 0 { output.append(0x0A) }
            output += marker + Array(file.name.utf8) + [0x0A] + file.bytes
        }
        return output
    }

    /// Writes the files of `input` into a freshly emptied scratch directory and returns it.
    public static func materialize(_ input: UnsafeRawBufferPointer) -> URL {
        Scratch.clear()
        for file in unpack(input) {
            let url = Scratch.directory.appendingPathComponent(file.name)
            _ = FileManager.default.createFile(atPath: url.path, contents: Data(file.bytes))
        }
        return Scratch.directory
    }
}
