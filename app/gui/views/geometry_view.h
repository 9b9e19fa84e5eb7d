// The geometry view: parameter space itself for the prompt model with d = 2 or 3 (and the query model's
// single sequence, through W z_0): the feasible set {theta : A theta >= 1} of the SVM rows of the
// current selection (one face per constraint), the l_p ball of radius ||theta^mm||_p that touches it at
// theta^mm, and each run's iterates scaled onto its ball, coloured by step (docs/theory.md §5).
//
// Two halves: the model (every number, from core/param_geometry.h) and the description (a CanvasScene
// of existing shape kinds in screen pixels), so the screen, PNG and SVG show the same thing and a
// GPU renderer can take the description over later. No ImGui context is needed for either.
#pragma once

#include <imgui.h>

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/gui/views/canvas_scene.h"
#include "app/gui/views/view3d.h"
#include "core/param_geometry.h"
#include "core/scene.h"

namespace attnmd::gui {

// [SECTION] what the app hands over

// One run to draw. The first entry is the selected run: its rows give the feasible set.
struct GeometryRunInput {
  std::string name;
  ImU32 colour = 0;  // the run's colour (0: the theme's foreground, one run)
  std::shared_ptr<const core::Scene> scene;
  std::vector<int> svmTokens;  // the selection alpha its SVM is for (empty: none yet)
  double p = 2;                // the ball's p
  bool relaxed = false;        // the run trains v: its own SVM is the relaxed one (not drawn here)
  // The parameter-space point (p, or W z_0) at recorded steps, ascending; the last is the shown step.
  std::vector<Eigen::VectorXd> iterates;
  std::vector<long long> steps;
};

// Whether the geometry view can draw this scene at all ("" when it can, else why not, in words).
std::string geometryViewProblem(const core::Scene& scene);

// [SECTION] the model

struct GeometryRunModel {
  std::string name;
  ImU32 colour = 0;
  double p = 2;
  std::vector<int> tokens;  // the selection alpha of its SVM
  core::ParamSpaceRows rows;
  core::ParamBall ball;
  std::vector<Eigen::VectorXd> circle;  // d = 2: the ball's outline (kept: the scene is rebuilt often)
  core::LpSphereMesh mesh;              // d = 3: the ball's grid, likewise
  core::NormalizedTrail trail;
  std::vector<long long> trailSteps;           // step of each trail point
  std::vector<Eigen::VectorXd> trailIterates;  // the iterate each point was scaled from (reused if unchanged)
  Eigen::VectorXd current;                     // the shown step's point (empty: none)
  std::string problem;                         // why this run has no ball ("" when it has one)
};

struct GeometryModel {
  int dim = 0;
  std::string problem;  // non-empty: nothing can be drawn (the scene), shown in words
  bool effectiveQuery = false;
  std::vector<GeometryRunModel> runs;  // runs[0]: the selected run
  core::ParamBox box;
  core::FeasibleRegion region;     // of runs[0]'s rows, clipped to box
  std::vector<std::string> notes;  // what was clipped or left out, in words
  std::size_t fixedNotes = 0;      // notes[0, fixedNotes) are of the rows and balls, the rest of the trails
  // Changes whenever the balls or the region do (never for a new trail): the scene cache's key.
  std::uint64_t revision = 0;
};

// Solves each run's l_p SVM in parameter space (d unknowns, a few rows: well under a millisecond),
// clips the selected run's feasible set to a box around every ball, and scales the trails.
GeometryModel computeGeometryModel(const std::vector<GeometryRunInput>& runs);

// The part of the model that does not depend on the trails (the SVM solves, the region, the ball's
// circle or mesh): what the panel recomputes only when a scene, selection, p or colour changes.
GeometryModel computeGeometryBalls(const std::vector<GeometryRunInput>& runs);
// Scales each run's iterates onto its ball. Points whose step and source iterate match the previous
// trail's are kept, so a training frame scales only the steps added since (the shown step moves on).
void updateGeometryTrails(GeometryModel& model, const std::vector<GeometryRunInput>& runs);

// [SECTION] the description

// What the mouse can point at: a face of the feasible set as drawn.
struct GeometryFaceHit {
  int row = -1;  // constraint row (>= 0), never a box side
  int seq = 0, token = 0, selectedToken = 0;
  std::vector<ImVec2> outline;  // d = 2: the edge's two ends; d = 3: the projected polygon
  double depth = 0;             // d = 3: towards the viewer (larger is nearer)
};

struct GeometrySceneExtras {
  std::vector<GeometryFaceHit> faces;
  ImVec2 origin{0, 0};
  double pixelsPerUnit = 1;
  ImVec2 drawMin{0, 0}, drawMax{1, 1};  // where the picture is fitted: the canvas less the text lines below
};

// The camera of the 3D geometry view: yaw, pitch and a zoom factor over the fitted scale.
struct GeometryCamera {
  Camera3D angles;
  double zoom = 1;
};

// Shapes of one depth in the 3D picture, drawn far to near.
struct GeometryDepthItem {
  double depth = 0;
  std::vector<CanvasShape> shapes;
};

// What the description keeps between frames: everything but the trails and the shown steps, for one
// model revision, camera, canvas rectangle and style (`key`). While a run trains only the trails move,
// so a frame then builds just those and merges them in.
struct GeometrySceneCache {
  std::string key;
  std::vector<CanvasShape> under;        // under the trails (2D: everything but the badges; 3D: axes)
  std::vector<GeometryDepthItem> items;  // 3D: faces and balls, sorted far to near
  std::vector<CanvasShape> over;         // 2D: the touching points' stars, over the trails
  GeometrySceneExtras extras;            // the faces as drawn
};

CanvasScene buildGeometryScene(const GeometryModel& model, ImVec2 min, ImVec2 max,
                               const GeometryCamera& camera, const CanvasStyle& style,
                               const CanvasSceneOptions& options = {}, GeometrySceneExtras* extras = nullptr,
                               GeometrySceneCache* cache = nullptr);

// The face under `mouse` (nearest edge within `tolerance` px in 2D, the front-most face containing it in
// 3D); null when none.
const GeometryFaceHit* geometryFaceAt(const GeometrySceneExtras& extras, int dim, ImVec2 mouse,
                                      float tolerance);

// The tooltip of a face: which sequence and token it is.
std::string geometryFaceText(const GeometryFaceHit& face, bool effectiveQuery);

// A convex polygon filled with `colour` (one Polygon shape; nothing when a corner is not finite).
void appendFilledConvexPolygon(CanvasScene& out, const std::vector<ImVec2>& polygon, ImU32 colour);

}  // namespace attnmd::gui
