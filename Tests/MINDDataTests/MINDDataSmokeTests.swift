import Testing
@testable import MINDData
