// Two synthetic lists of persons with known truth, for the linkage scale benchmark.
#pragma once

#include <cstdint>
#include <string>

// Writes two lists of `persons` records each (half the people on both lists, corrupted the way
// agencies' lists differ), links them with docs/linkage/synthetic.json from `specs_dir`, and
// prints the time and pair recall and precision. Returns 0 on success.
int run_synthetic(std::uint64_t persons, const std::string& specs_dir);
