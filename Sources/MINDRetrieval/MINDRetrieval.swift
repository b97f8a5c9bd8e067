import MINDCore
