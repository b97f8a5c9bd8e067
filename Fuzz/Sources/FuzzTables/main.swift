import FuzzSupport
import Foundation
import MINDData

// The input is one table file, read one of the ways the CLI reads tables: as CSV, TSV or detected from the first
// line; as interactions (`mind prepare --interactions`) or as an items file (`--items`); failing on the first
// bad row or with --skip-invalid. The input's length picks the way, so that an execution is one read and every
// way is tried as the fuzzer grows and shrinks inputs; the regression test reads each input every way.
// RecBole atomic files are the same bytes with a `name:type` header. Thrown errors are fine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = Scratch.file(named: "table.txt", bytes: UnsafeRawBufferPointer(start: start, count: count))
    let format = [TableFormat.csv, .tsv, nil][count % 3]
    let skipInvalid = (count / 3) % 2 == 1
    if (count / 6) % 2 == 0 {
        _ = try? InteractionReader.read(url, skipInvalid: skipInvalid, format: format, threads: 1)
    } else {
        _ = try? AttributeReader.read(url, idColumn: "item_id", skipInvalid: skipInvalid, format: format)
    }
    return 0
}

FuzzDriver.run { data, size in fuzz(data.map(UnsafeRawPointer.init) ?? FuzzDriver.emptyInput, size) }
