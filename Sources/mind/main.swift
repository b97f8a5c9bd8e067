import MINDCommands

// The `mind` executable: everything lives in MINDCommands, where tests can reach it.
await MindCommand.start()
