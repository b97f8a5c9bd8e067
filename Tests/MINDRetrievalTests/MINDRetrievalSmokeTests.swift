import Testing
@testable import MINDRetrieval
