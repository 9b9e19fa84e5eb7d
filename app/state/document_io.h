// Opening and saving the document as a scene file (issue 6 §1): the core loader and the atomic writer,
// plus the app's own fields ("app": experiment settings and canvas view, doc_extras.h). Used by File >
// Open / Save / Save As, drag-and-drop, the clipboard's Copy / Paste scene, autosave and recovery, so
// every way in and out goes through the same validation.
//
// Opening never touches the current document: it returns a complete LoadedDocument or the loader's
// message ("demo.json:sequences[2].tokens[1]: expected 2 numbers, got 3"), and the caller installs it.
#pragma once

#include <string>
#include <string_view>

#include "app/state/doc_extras.h"
#include "app/state/document.h"

namespace attnmd::gui {

struct OpenedDocument {
  bool ok = false;
  LoadedDocument doc;  // valid when ok
  std::string error;   // when !ok: the loader's message, naming the file and field
};

OpenedDocument openDocumentFile(const std::string& path);
// Scene JSON from anywhere else (the clipboard, an autosave); `sourceName` prefixes messages.
OpenedDocument openDocumentText(std::string_view text, std::string_view sourceName);

// The document as scene-file text (stable, byte-identical across save -> open -> save).
std::string documentText(const Document& doc);

// Writes the document to `path` atomically and marks it saved. "" or the writer's message (then the
// previous file is unchanged and the document stays modified).
std::string saveDocumentFile(Document& doc, const std::string& path);

}  // namespace attnmd::gui
