// Private to the haven command: `haven link` (record linkage of agencies' lists, see
// docs/linkage.md), registered from main.cpp with two calls.
#pragma once

#include <memory>

namespace CLI {
class App;
}

namespace haven::cli {

struct LinkCommands;
struct LinkCommandsDeleter {
  void operator()(LinkCommands* commands) const;
};
using LinkCommandsHandle = std::unique_ptr<LinkCommands, LinkCommandsDeleter>;

// Adds the sub-commands to `app`; the handle holds their parsed options.
LinkCommandsHandle add_link_commands(CLI::App& app);
// The exit code of the linkage sub-command that was parsed, or -1 when none was.
int run_link_commands(const LinkCommands& commands);

}  // namespace haven::cli
