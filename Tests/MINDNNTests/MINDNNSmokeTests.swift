import Testing
@testable import MINDNN
