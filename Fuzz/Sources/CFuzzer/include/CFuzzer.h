#ifndef CFUZZER_H
#define CFUZZER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt FuzzerDriver.cpp), linked in by -sanitize=fuzzer. Referenced only when built
// with -DFUZZING: SwiftPM renames an executable's `main`, so libFuzzer's own `main` never runs and ours calls this.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
