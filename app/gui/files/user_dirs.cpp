#include "app/gui/files/user_dirs.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

std::string xdgDir(const EnvLookup& env, const char* var, const char* fallbackUnderHome) {
  if (const char* v = env(var); v && *v && fs::path(v).is_absolute())
    return (fs::path(v) / "attnmd").string();
  if (const char* home = env("HOME"); home && *home)
    return (fs::path(home) / fallbackUnderHome / "attnmd").string();
  return {};
}

}  // namespace

EnvLookup processEnv() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

UserDirs userDirs(const EnvLookup& env) {
  return {xdgDir(env, "XDG_CONFIG_HOME", ".config"), xdgDir(env, "XDG_STATE_HOME", ".local/state")};
}

std::string ensureDir(const std::string& dir) {
  if (dir.empty()) return "no folder for user files: neither the XDG variable nor HOME is set";
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  fs::create_directories(dir, ec);
  if (ec) return dir + ": cannot create the folder: " + ec.message();
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);  // best effort
  return {};
}

}  // namespace attnmd::gui
