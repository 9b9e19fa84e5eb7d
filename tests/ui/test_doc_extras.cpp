// The app's fields in a scene file ("app": experiment and view) survive a save/load round trip
// through core's scene I/O, and unreadable ones are skipped with a warning, never fatal.
#include <gtest/gtest.h>

#include "app/state/doc_extras.h"
#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

core::Scene sceneWithNotes() {
  core::Scene s;
  s.dim = 2;
  s.model.kind = core::ModelKind::Prompt;
  s.model.v = Eigen::Vector2d(0, 1);
  for (int i = 0; i < 2; ++i) {
    core::Sequence q;
    q.y = i ? -1 : 1;
    q.tokens = Eigen::MatrixXd::Random(3, 2);
    s.sequences.push_back(q);
  }
  s.extrasJson = R"({"notes":"keep me"})";
  return s;
}

TEST(DocExtras, ExperimentAndViewRoundTripThroughASceneFile) {
  Document doc(DocState{sceneWithNotes(), {}});
  Experiment e;
  e.svmTokens = SvmTokens::Picked;
  e.pickedTokens = {2, -1};
  e.continueFromCurrent = true;
  e.stop.atUnselected = true;
  e.stop.unselectedBelow = 1e-30;
  e.stop.atSteps = true;
  e.stop.steps = 777;
  ASSERT_EQ(doc.apply(cmd::SetExperiment{e}), "");
  doc.view().canvas = CanvasView{0.25, -1.5, 123.0};
  doc.view().layers.marginLines = false;
  doc.view().selectedSequence = 1;

  const std::string text = core::sceneToJson(sceneWithAppFields(doc));
  auto parsed = core::parseScene(text, "roundtrip");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const LoadedDocument d = documentFromScene(parsed.scene());
  EXPECT_EQ(d.warning, "");
  EXPECT_EQ(d.state.experiment, doc.experiment());
  EXPECT_DOUBLE_EQ(d.view.canvas.centerX, 0.25);
  EXPECT_DOUBLE_EQ(d.view.canvas.centerY, -1.5);
  EXPECT_DOUBLE_EQ(d.view.canvas.pixelsPerUnit, 123.0);
  EXPECT_FALSE(d.view.layers.marginLines);
  EXPECT_TRUE(d.view.layers.grid);
  EXPECT_EQ(d.view.selectedSequence, 1);
  // The scene itself is unchanged, other unknown fields are kept, and "app" is not duplicated into it.
  core::Scene got = d.state.scene, expected = doc.scene();
  got.extrasJson.clear();
  expected.extrasJson.clear();
  EXPECT_TRUE(sameScene(got, expected));
  EXPECT_NE(d.state.scene.extrasJson.find("keep me"), std::string::npos);
  EXPECT_EQ(d.state.scene.extrasJson.find("\"app\""), std::string::npos);
}

// An automatic fit is saved as one ("fit": true, with the centre and zoom for other tools) and opens
// fitted again, for the canvas the document then has; a view the user chose opens as it was.
TEST(DocExtras, AnAutomaticFitOpensFittedAgain) {
  Document doc(DocState{sceneWithNotes(), {}});
  CanvasView fitted{0.5, 0.25, 80.0};
  fitted.fitted = true;
  for (const bool isFit : {true, false}) {
    CanvasView v = fitted;
    v.fitted = isFit;
    doc.view().canvas = v;
    const std::string text = core::sceneToJson(sceneWithAppFields(doc));
    EXPECT_EQ(text.find("\"fit\"") != std::string::npos, isFit) << text;
    EXPECT_NE(text.find("\"pixels_per_unit\""), std::string::npos) << text;
    auto parsed = core::parseScene(text, "roundtrip");
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    const LoadedDocument d = documentFromScene(parsed.scene());
    EXPECT_EQ(d.warning, "");
    EXPECT_EQ(d.view.canvas.pixelsPerUnit, isFit ? 0.0 : 80.0) << (isFit ? "fit again" : "kept");
  }
}

TEST(DocExtras, UnreadableFieldsAreSkippedWithAWarning) {
  core::Scene s = sceneWithNotes();
  s.extrasJson =
      R"({"app":{"svm_tokens":"sideways","stop":{"steps":"ten","at_loss":true},"picked_tokens":[9,1]}})";
  const LoadedDocument d = documentFromScene(s);
  EXPECT_NE(d.warning.find("svm_tokens"), std::string::npos) << d.warning;
  EXPECT_NE(d.warning.find("steps"), std::string::npos) << d.warning;
  EXPECT_EQ(d.state.experiment.svmTokens, SvmTokens::Selected);
  EXPECT_TRUE(d.state.experiment.stop.atLoss) << "the readable fields are still used";
  EXPECT_EQ(d.state.experiment.stop.steps, StopCondition{}.steps);
  EXPECT_EQ(d.state.experiment.pickedTokens, (std::vector<int>{-1, 1})) << "token 9 does not exist";
  EXPECT_EQ(d.view.canvas.pixelsPerUnit, 0) << "no view: fit";
}

TEST(DocExtras, SceneWithoutAppFieldsGivesDefaults) {
  const LoadedDocument d = documentFromScene(sceneWithNotes());
  EXPECT_EQ(d.warning, "");
  EXPECT_EQ(d.state.experiment.svmTokens, SvmTokens::Selected);
  EXPECT_EQ(d.state.experiment.pickedTokens.size(), 2u);
}

// The geometry view's switch is kept like the 2D / 3D choice, in 2D scenes too, beside "mode" (so a 3D
// scene still says which of 3D and the plane to show without it); off, it writes nothing.
TEST(DocExtras, TheGeometryViewChoiceRoundTrips) {
  core::Scene space = sceneWithNotes();
  space.dim = 3;
  space.model.v = Eigen::Vector3d(0, 0, 1);
  for (core::Sequence& q : space.sequences) q.tokens = Eigen::MatrixXd::Random(3, 3);
  for (const core::Scene& s : {sceneWithNotes(), space}) {
    Document doc(DocState{s, {}});
    EXPECT_EQ(core::sceneToJson(sceneWithAppFields(doc)).find("geometry"), std::string::npos);
    doc.view().geometry = true;
    doc.view().space = false;
    auto parsed = core::parseScene(core::sceneToJson(sceneWithAppFields(doc)), "roundtrip");
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    const LoadedDocument d = documentFromScene(parsed.scene());
    EXPECT_EQ(d.warning, "");
    EXPECT_TRUE(d.view.geometry) << "d = " << s.dim;
    if (s.dim == 3) {
      EXPECT_FALSE(d.view.space) << "the choice under it is kept too";
    }
  }
  core::Scene bad = sceneWithNotes();
  bad.extrasJson = R"({"app":{"view":{"geometry":"yes"}}})";
  const LoadedDocument b = documentFromScene(bad);
  EXPECT_NE(b.warning.find("geometry"), std::string::npos) << b.warning;
  EXPECT_FALSE(b.view.geometry);
}

TEST(DocExtras, TheThreeDViewAndItsCameraRoundTripForSpatialScenes) {
  core::Scene s = sceneWithNotes();
  s.dim = 3;
  s.model.v = Eigen::Vector3d(0, 0, 1);
  for (core::Sequence& q : s.sequences) q.tokens = Eigen::MatrixXd::Random(3, 3);
  Document doc(DocState{s, {}});
  doc.view().space = false;
  doc.view().camera = Camera3D{-1.25, 0.75, 0.5, -0.25, 2.0, 321.0};
  const std::string text = core::sceneToJson(sceneWithAppFields(doc));
  auto parsed = core::parseScene(text, "roundtrip");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const LoadedDocument d = documentFromScene(parsed.scene());
  EXPECT_EQ(d.warning, "");
  EXPECT_FALSE(d.view.space) << "the plane was chosen";
  EXPECT_DOUBLE_EQ(d.view.camera.yaw, -1.25);
  EXPECT_DOUBLE_EQ(d.view.camera.pitch, 0.75);
  EXPECT_DOUBLE_EQ(d.view.camera.targetX, 0.5);
  EXPECT_DOUBLE_EQ(d.view.camera.targetY, -0.25);
  EXPECT_DOUBLE_EQ(d.view.camera.targetZ, 2.0);
  EXPECT_DOUBLE_EQ(d.view.camera.pixelsPerUnit, 321.0);

  // A 2D scene writes no 3D fields; a camera that cannot be drawn falls back to the defaults.
  EXPECT_EQ(core::sceneToJson(sceneWithAppFields(Document(DocState{sceneWithNotes(), {}}))).find("camera"),
            std::string::npos);
  core::Scene bad = s;
  bad.extrasJson = R"({"app":{"view":{"mode":"hologram","camera":{"yaw":0.1,"pitch":7,"target":[1,2]}}}})";
  const LoadedDocument b = documentFromScene(bad);
  EXPECT_NE(b.warning.find("mode"), std::string::npos) << b.warning;
  EXPECT_TRUE(b.view.space);
  EXPECT_DOUBLE_EQ(b.view.camera.pitch, Camera3D{}.pitch) << "a pitch over the pole is not drawable";
  EXPECT_EQ(b.view.camera.pixelsPerUnit, 0) << "no usable target: fit";
}

}  // namespace
}  // namespace attnmd::gui
