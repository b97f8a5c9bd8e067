import FuzzSupport
import Foundation
import MINDData

// The input is any JSON document, as an HTTP body or a model file would bring it. `StrictJSON` may refuse what
// Foundation takes (a trailing comma, a field given twice), never the other way round: what it passes, Foundation
// must parse, or decoding after the check could fail in a way the check promised away.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard (try? StrictJSON.check(bytes)) != nil else { return 0 }
    if (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) == nil {
        fatalError("StrictJSON passed a document Foundation refuses")
    }
    return 0
}

FuzzDriver.run { data, size in fuzz(data.map(UnsafeRawPointer.init) ?? FuzzDriver.emptyInput, size) }
