#include "app/common/assets.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace attnmd {
namespace {

std::optional<std::string> readFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string executableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path().string();
}

std::optional<std::string> readAsset(std::string_view relativePath) {
  const std::filesystem::path rel{std::string(relativePath)};
  if (const char* dir = std::getenv("ATTNMD_ASSET_DIR"); dir && *dir)
    if (auto text = readFile(std::filesystem::path(dir) / rel)) return text;
  if (auto dir = executableDir(); !dir.empty()) {
    if (auto text = readFile(std::filesystem::path(dir) / rel)) return text;
    // Installed: <prefix>/bin/attnmd reads <prefix>/share/attnmd/assets/...
    if (auto text = readFile(std::filesystem::path(dir) / ".." / "share" / "attnmd" / rel)) return text;
  }
  if (auto text = readFile(std::filesystem::path(ATTNMD_SOURCE_DIR) / rel)) return text;
  for (const EmbeddedFile& f : embeddedFiles())
    if (relativePath == f.path) return std::string(reinterpret_cast<const char*>(f.data), f.size);
  return std::nullopt;
}

std::vector<std::string> listAssets(std::string_view folderPrefix) {
  std::vector<std::string> out;
  for (const EmbeddedFile& f : embeddedFiles()) {
    std::string_view path = f.path;
    if (path.starts_with(folderPrefix)) out.emplace_back(path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace attnmd
