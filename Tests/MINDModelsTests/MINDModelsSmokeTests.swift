import Testing
@testable import MINDModels
