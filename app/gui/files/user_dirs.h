// Where attnmd keeps per-user files, following the XDG base directory spec: preferences under
// $XDG_CONFIG_HOME/attnmd (default ~/.config/attnmd), autosaves and session markers under
// $XDG_STATE_HOME/attnmd (default ~/.local/state/attnmd). Scenes live wherever the user saves them.
//
// The environment is read through a function so tests point everything at a temporary folder.
#pragma once

#include <functional>
#include <string>

namespace attnmd::gui {

// Returns the value of an environment variable, or null when unset.
using EnvLookup = std::function<const char*(const char*)>;

// std::getenv.
EnvLookup processEnv();

struct UserDirs {
  std::string config;  // preferences folder ("" when neither XDG_CONFIG_HOME nor HOME is set)
  std::string state;   // autosave folder ("" when neither XDG_STATE_HOME nor HOME is set)
};

// The spec says relative XDG paths are invalid and must be ignored; so are empty ones.
UserDirs userDirs(const EnvLookup& env = processEnv());

// Creates `dir` and its parents (mode 0700: autosaves may hold unpublished work). "" or a message.
std::string ensureDir(const std::string& dir);

}  // namespace attnmd::gui
