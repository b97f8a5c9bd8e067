import Foundation
import FuzzSupport
import MINDJSON

// The input is any JSON document, as an HTTP body or a model file would bring it. `StrictJSON` may refuse what
// Foundation takes (a trailing comma, a field given twice), never the other way round: what it passes, Foundation's
// parser must parse. And what it passes, `StrictJSON.decode` reads as a `JSONValue`, the same value Foundation's
// decoder reads, where that decoder reads the document at all (it refuses 0e1 and numbers nearer zero than 5e-324).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard (try? StrictJSON.check(bytes)) != nil else { return 0 }
    if (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) == nil {
        fatalError("StrictJSON passed a document Foundation refuses")
    }
    guard let ours = try? StrictJSON.decode(JSONValue.self, from: bytes) else {
        fatalError("StrictJSON passed a document it cannot decode as any JSON value")
    }
    if let foundation = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)), foundation != ours {
        fatalError("StrictJSON.decode read \(ours), Foundation's decoder \(foundation)")
    }
    return 0
}

FuzzDriver.run { data, size in fuzz(data.map(UnsafeRawPointer.init) ?? FuzzDriver.emptyInput, size) }
