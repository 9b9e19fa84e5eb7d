#include "app/state/document_io.h"

#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

OpenedDocument fromLoad(core::SceneLoadResult r) {
  OpenedDocument out;
  if (!r.ok()) {
    out.error = r.error();
    return out;
  }
  out.doc = documentFromScene(std::move(r.scene()));
  out.ok = true;
  return out;
}

}  // namespace

OpenedDocument openDocumentFile(const std::string& path) {
  return fromLoad(core::loadScene(path));
}

OpenedDocument openDocumentText(std::string_view text, std::string_view sourceName) {
  return fromLoad(core::parseScene(text, sourceName));
}

std::string documentText(const Document& doc) {
  return core::sceneToJson(sceneWithAppFields(doc));
}

std::string saveDocumentFile(Document& doc, const std::string& path) {
  if (std::string e = core::writeFileAtomic(path, documentText(doc)); !e.empty()) return e;
  doc.markSaved();
  return {};
}

}  // namespace attnmd::gui
