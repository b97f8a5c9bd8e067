import Testing
@testable import MINDCore
