// Private to haven_store.
#pragma once

#include <vector>

namespace haven {

struct Migration {
  int version;
  const char* sql;
};

// In version order; migrations().back().version == kLatestSchemaVersion.
const std::vector<Migration>& migrations();

}  // namespace haven
