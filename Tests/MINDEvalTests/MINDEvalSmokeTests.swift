import Testing
@testable import MINDEval
