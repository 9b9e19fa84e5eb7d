// Reading and writing scene files (docs/scene-format.md). Loading validates everything and
// either returns a complete Scene or an error naming the file and field; it never half-loads.
//
// Unknown fields survive a load/save round trip through Scene::extrasJson, a JSON object holding only
// the fields this version does not know, mirroring the file's structure:
//   - unknown top-level fields as they are ("view": {...}, "notes": "...");
//   - under "model", "optimizer", "init": an object of the unknown fields of that object (for init,
//     this includes given tensors the model does not use, e.g. "p" with the query model);
//   - under "sequences": an array with one object per sequence (its unknown fields); written back
//     only while the number of sequences is unchanged.
// The app may add its own top-level fields there (parse, edit, dump); extrasJson must stay a JSON
// object (or be empty).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "core/ntp.h"
#include "core/scene.h"

namespace attnmd::core {

// The scene-file version this build reads and writes. Files with a larger "version" are refused with a
// message saying they come from a newer attnmd.
inline constexpr int kSceneFormatVersion = 1;

// The most steps a scene's `iterations` (and attnmd-cli's --iters) may ask for. The smallest scenes take
// about 4 million steps a second, so 10^10 steps is most of an hour there and days on a papers-size
// scene: anything larger is a typo (1e18 would run for millennia), refused with a message naming this.
inline constexpr long long kMaxIterations = 10'000'000'000;

struct LoadError {
  std::string message;  // "file:path.to.field: what is wrong", e.g. "s.json:sequences[2].tokens[1]: expected
                        // 2 numbers, got 3"
};

struct SceneLoadResult {
  std::variant<Scene, LoadError> value;
  bool ok() const { return std::holds_alternative<Scene>(value); }
  const Scene& scene() const { return std::get<Scene>(value); }
  Scene& scene() { return std::get<Scene>(value); }
  const std::string& error() const { return std::get<LoadError>(value).message; }
};

// Parses scene JSON text. `sourceName` prefixes error messages (a file name, "<clipboard>", ...).
SceneLoadResult parseScene(std::string_view jsonText, std::string_view sourceName = "<scene>");
// Reads and parses a file; unreadable files are errors too. A next-token prediction scene
// (model.kind "ntp") is an error here, saying so: read those with parseAnyScene / loadAnyScene.
SceneLoadResult loadScene(const std::string& path);

// Any scene file: the attention scenes above, or a next-token prediction scene (docs/scene-format.md
// "NTP scenes"), with the same field-path errors.
struct AnySceneLoadResult {
  std::variant<Scene, NtpScene, LoadError> value;
  bool ok() const { return !std::holds_alternative<LoadError>(value); }
  bool isNtp() const { return std::holds_alternative<NtpScene>(value); }
  Scene& scene() { return std::get<Scene>(value); }
  NtpScene& ntpScene() { return std::get<NtpScene>(value); }
  const std::string& error() const { return std::get<LoadError>(value).message; }
};
AnySceneLoadResult parseAnyScene(std::string_view jsonText, std::string_view sourceName = "<scene>");
AnySceneLoadResult loadAnyScene(const std::string& path);
std::string validateNtpScene(const NtpScene& scene);  // "" when valid, else "field.path: what"
std::string ntpSceneToJson(const NtpScene& scene);

// Validates a Scene built in memory (the same checks as parsing); empty string when valid.
std::string validateScene(const Scene& scene);

// Serializes to JSON text: stable field order and number formatting (save -> load -> save is
// byte-identical); unknown fields read from a file (Scene::extrasJson) are written back.
std::string sceneToJson(const Scene& scene);

// What writeFileAtomic and saveScene do when the path names a symbolic link.
enum class Symlinks {
  Follow,   // replace the file the link points to (the app: a user's linked scene file stays linked)
  Replace,  // replace the link itself, never writing through it (attnmd-cli: an output folder may hold
            // links planted by someone else, and --out must not overwrite their targets)
};

// Writes atomically (temporary file in the same folder, fsync, rename). Returns "" or an error message.
std::string saveScene(const Scene& scene, const std::string& path, Symlinks links = Symlinks::Follow);
std::string saveNtpScene(const NtpScene& scene, const std::string& path, Symlinks links = Symlinks::Follow);

// [Helpers shared with the CLI's outputs, so every JSON attnmd writes looks and round-trips the same]

// The shortest decimal text that reads back as exactly `x` (std::to_chars); integral values get ".0"
// so they stay floating point ("2.0", "1e+300", "-0.0"). NaN and infinities give "null".
std::string formatDouble(double x);

// Re-indents JSON text in the scene-file style: objects one key per line unless they fit in 100
// columns, arrays of numbers on one line, numbers as formatDouble. Throws nothing; returns the text
// unchanged if it is not valid JSON. Ends with a newline.
std::string prettyJson(std::string_view jsonText);

// Writes `text` to `path` atomically: a temporary file in the same folder, fsync, rename over `path`
// (an existing file keeps its permissions; a symlink is followed or replaced, as `links` says). Returns
// "" or a message naming the path and the reason (missing folder, permission denied, read-only file
// system, disk full, ...).
std::string writeFileAtomic(const std::string& path, std::string_view text,
                            Symlinks links = Symlinks::Follow);

}  // namespace attnmd::core
