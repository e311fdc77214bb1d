// Two synthetic lists of persons with known truth, for the linkage scale benchmark.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

// Writes two lists of `persons` records each (half the people on both lists, corrupted the way
// agencies' lists differ), links them with docs/linkage/synthetic.json from `specs_dir`, and
// prints the time and pair recall and precision. Returns 0 on success.
int run_synthetic(std::uint64_t persons, const std::string& specs_dir);

// Writes only the two lists, DIR/police.csv and DIR/ngo.csv (columns as synthetic.json reads them),
// for timing `haven link` itself. Returns false when they cannot be written.
bool write_synthetic_lists(std::uint64_t persons, const std::filesystem::path& dir);
