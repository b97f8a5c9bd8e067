import ArgumentParser
import MINDData
import MINDModels

// Every choice flag is a typed enum: the parser rejects an unknown value with the list of allowed ones,
// and no command converts a string by hand.
extension EvaluationSplit: ExpressibleByArgument {}
extension SplitKind: ExpressibleByArgument {}
extension MovieLensVariant: ExpressibleByArgument {}
extension ModelKind: ExpressibleByArgument {}
extension NegativeSampler: ExpressibleByArgument {}
