// One autosave file's text (autosave.h describes the format), read and written without the session's
// folder, locks or clock: what AutosaveSession builds on, and what tests/fuzz/fuzz_autosave.cpp runs on
// arbitrary bytes.
#pragma once

#include <string>
#include <string_view>

namespace attnmd::gui {

struct AutosaveContents {
  double savedAt = 0;        // Unix seconds of the autosave (0 when the file does not say)
  std::string documentPath;  // the file that session had open; "" for an untitled scene
  std::string sceneText;     // the scene (a scene file's JSON, pretty-printed) for core::parseScene
};

// Reads one autosave file. Returns "" and fills `out`, or why the text is not one this version can
// restore ("not an attnmd autosave", "has no version", "written by a newer attnmd (...)", "holds no
// scene"); `out` is then unspecified.
std::string parseAutosave(std::string_view text, AutosaveContents& out);

// The autosave file for `contents` written by process `pid`. `contents.sceneText` must be a JSON
// object; otherwise returns "" and sets `error`.
std::string autosaveToJson(const AutosaveContents& contents, long pid, std::string& error);

}  // namespace attnmd::gui
