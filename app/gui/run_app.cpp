#include "app/gui/run_app.h"

#include <imgui.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "app/common/assets.h"
#include "app/gui/platform/fonts.h"
#include "app/gui/platform/offscreen.h"
#include "app/gui/platform/platform.h"
#include "app/state/doc_extras.h"
#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSettleFrames = 4;          // frames rendered after training before the screenshot
constexpr int kBenchWarmupFrames = 10;    // not counted in --bench-frames statistics
constexpr double kIdleWaitSeconds = 0.5;  // glfwWaitEventsTimeout while nothing moves

nlohmann::json point(ImVec2 p) {
  return nlohmann::json::array({p.x, p.y});
}

// --bench-drag: the first token of the first sequence goes round a small circle about where it was, one
// move per frame inside one gesture, as a mouse drag on the canvas moves it (every run restarts from
// the moved data, each run's SVM is asked for again).
void benchDragStep(Document& doc, int frame) {
  static Eigen::VectorXd centre;
  if (doc.scene().sequences.empty()) return;
  if (frame == 0) {
    centre = doc.scene().sequences[0].tokens.row(0).transpose();
    doc.beginGesture("benchmark drag");
  }
  Eigen::VectorXd x = centre;
  const double a = 0.05 * frame;
  x(0) += 0.3 * std::cos(a);
  if (x.size() > 1) x(1) += 0.3 * std::sin(a);
  doc.update(cmd::MoveToken{0, 0, x});
}

}  // namespace

FrameStats frameStats(std::vector<double> ms) {
  FrameStats s;
  s.frames = static_cast<int>(ms.size());
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  s.meanMs = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(ms.size() - 1);
    const std::size_t i = static_cast<std::size_t>(pos);
    const double f = pos - static_cast<double>(i);
    return i + 1 < ms.size() ? ms[i] * (1 - f) + ms[i + 1] * f : ms[i];
  };
  s.medianMs = quantile(0.5);
  s.p95Ms = quantile(0.95);
  s.maxMs = ms.back();
  s.fps = s.meanMs > 0 ? 1000.0 / s.meanMs : 0;
  return s;
}

std::string formatFrameStats(const FrameStats& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "frames %d: mean %.2f ms, median %.2f ms, p95 %.2f ms, max %.2f ms, %.1f fps", s.frames,
                s.meanMs, s.medianMs, s.p95Ms, s.maxMs, s.fps);
  return buf;
}

std::string writeLayoutJson(const std::string& path, const App& app, int fbw, int fbh) {
  const CanvasLayout& l = app.canvasLayout();
  const ImGuiIO& io = ImGui::GetIO();
  nlohmann::json j;
  j["window"] = {io.DisplaySize.x, io.DisplaySize.y};
  j["framebuffer"] = {fbw, fbh};
  j["framebuffer_scale"] = {io.DisplayFramebufferScale.x, io.DisplayFramebufferScale.y};
  j["ui_scale"] = app.preferences().uiScale;
  j["theme"] = core::enumName(app.preferences().theme);
  j["canvas"] = {{"min", point(l.transform.min)},
                 {"max", point(l.transform.max)},
                 {"center", {l.transform.centerX, l.transform.centerY}},
                 {"pixels_per_unit", l.transform.pixelsPerUnit}};
  // The 3D view (d >= 3): its camera, from which a test projects the tokens itself (view3d.h).
  j["view"] = app.showsSpace() ? "3d" : "2d";
  if (app.showsSpace()) {
    const Camera3D& c = app.document().view().camera;
    j["camera"] = {{"yaw", c.yaw},
                   {"pitch", c.pitch},
                   {"target", {c.targetX, c.targetY, c.targetZ}},
                   {"pixels_per_unit", c.pixelsPerUnit}};
  }
  nlohmann::json markers = nlohmann::json::array();
  for (const auto& m : l.markers)
    markers.push_back({{"seq", m.seq},
                       {"token", m.token},
                       {"center", point(m.center)},
                       {"radius", m.radius},
                       {"ring_radius", m.ringRadius},
                       {"ring_thickness", m.ringThickness}});
  j["markers"] = std::move(markers);
  j["ray_thickness"] = l.rayThickness;
  j["param_ray"] = l.paramRay ? nlohmann::json{{"from", point(l.paramRayFrom)}, {"to", point(l.paramRayTo)}}
                              : nlohmann::json();
  j["svm_ray"] =
      l.svmRay ? nlohmann::json{{"from", point(l.svmRayFrom)}, {"to", point(l.svmRayTo)}} : nlohmann::json();
  j["svm_notice"] = l.svmNotice;
  j["v_tip"] = point(l.vTip);
  if (auto snap = app.snapshot()) {
    j["iteration"] = snap->iteration;
    j["selected"] = snap->selected;
  }
  // Every run: its name, colour, the step shown (the timeline's), its selected tokens and its dashed
  // SVM ray on screen (overlay: on the one canvas; grid: on its own canvas; null when not drawn).
  const Lab& lab = app.lab();
  nlohmann::json runs = nlohmann::json::array();
  for (int i = 0; i < lab.runCount(); ++i) {
    const core::RunPatch info = app.document().runInfo(i);
    const LabRun& r = lab.run(i);
    nlohmann::json run = {{"name", info.name}, {"colour", info.colour}, {"hidden", info.hidden}};
    run["step"] = r.shown ? r.shown->iteration : 0;
    run["selected"] = r.shown ? nlohmann::json(r.shown->selected) : nlohmann::json::array();
    run["corr"] = r.shown && std::isfinite(r.shown->metrics.corr) ? nlohmann::json(r.shown->metrics.corr)
                                                                  : nlohmann::json();
    run["svm_ray"] = nlohmann::json();
    for (const RunRayOnScreen& ray : app.runRaysOnScreen())
      if (ray.run == i && ray.svm) run["svm_ray"] = {{"from", point(ray.from)}, {"to", point(ray.to)}};
    if (!r.error.empty()) run["error"] = r.error;
    runs.push_back(std::move(run));
  }
  j["runs"] = std::move(runs);
  j["compare"] = app.document().view().compare == CompareView::Grid ? "grid" : "overlay";
  j["timeline"] = lab.cursor() ? nlohmann::json(*lab.cursor()) : nlohmann::json();
  j["svm_tokens"] = app.theory().overlay().svmTokens;
  // Which of the file dialogs are on screen (the recovery prompt at start, ...).
  const FileSession& fs = app.session();
  j["dialogs"] = {{"recovery", fs.recoveryPrompt().visible()},
                  {"unsaved", fs.unsavedPrompt().open},
                  {"file_browser", fs.browser().isOpen()}};
  j["window_title"] = app.windowTitle();
  std::ofstream out(path);
  if (!out) return path + ": cannot write the layout JSON";
  out << j.dump(2) << '\n';
  return out ? std::string() : path + ": write failed";
}

// CPU seconds used by the whole process (all threads: UI, worker, the software renderer's threads).
static double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Renders the frame about to be built at `factor` times the pixel density for an export: the font atlas
// (and the marker discs baked in it) is rebuilt at factor × the UI scale and drawn at 1/factor, so the
// layout in points is the same and every glyph has factor² the pixels (offscreen.h). Undone by
// restoreFonts() after the frame.
static void scaleFontsForCapture(App& app, Platform& platform, const std::string& fontPath, float factor) {
  if (factor == 1.f) return;
  app.setMarkerSprites(
      buildFonts(*ImGui::GetIO().Fonts, app.preferences().uiScale * factor, fontPath).sprites);
  ImGui::GetIO().FontGlobalScale = 1.f / factor;
  platform.reloadFontTexture();
}
static void restoreFonts(App& app, Platform& platform, const std::string& fontPath, float factor) {
  if (factor == 1.f) return;
  app.setMarkerSprites(buildFonts(*ImGui::GetIO().Fonts, app.preferences().uiScale, fontPath).sprites);
  ImGui::GetIO().FontGlobalScale = 1.f;
  platform.reloadFontTexture();
}

int runApp(const AppOptions& o) {
  // A file-size limit (ulimit -f) must make writes fail with a message (EFBIG), not kill the app with
  // unsaved work in it.
  std::signal(SIGXFSZ, SIG_IGN);
  // The scene first: a bad file is reported without opening a window. A next-token prediction scene
  // opens on its own screen over the default scene.
  std::optional<core::NtpScene> ntpScene;
  core::SceneLoadResult loaded = [&] {
    if (!o.scenePath.empty()) {
      core::AnySceneLoadResult any = core::loadAnyScene(o.scenePath);
      if (!any.ok()) return core::SceneLoadResult{std::get<core::LoadError>(std::move(any.value))};
      if (!any.isNtp()) return core::SceneLoadResult{std::get<core::Scene>(std::move(any.value))};
      ntpScene = std::get<core::NtpScene>(std::move(any.value));
    }
    const auto text = readAsset("assets/scenes/default.json");
    if (!text) return core::SceneLoadResult{core::LoadError{"the embedded default scene is missing"}};
    return core::parseScene(*text, "assets/scenes/default.json");
  }();
  if (!loaded.ok()) {
    std::cerr << "attnmd: " << loaded.error() << '\n';
    return 2;
  }

  const bool bench = o.benchFrames > 0;
  std::string error;
  PlatformOptions po;
  po.width = o.width;
  po.height = o.height;
  po.vsync = !bench && o.screenshotPath.empty();
  auto platform = Platform::create(po, error);
  if (!platform) {
    std::cerr << error << '\n';
    return 1;
  }

  Preferences prefs;
  prefs.theme = o.theme;
  prefs.uiScale = o.uiScale > 0 ? o.uiScale : std::clamp(platform->contentScale(), kMinUiScale, kMaxUiScale);
  const std::string fontPath = findUiFont();
  const FontBuild fonts = buildFonts(*ImGui::GetIO().Fonts, prefs.uiScale, fontPath);
  const std::string fontWarning = fonts.warning;
  if (!fontWarning.empty()) std::cerr << "attnmd: " << fontWarning << '\n';

  LoadedDocument doc = documentFromScene(std::move(loaded.scene()));
  if (!o.view.empty()) doc.view.space = o.view == "3d";
  if (!o.view.empty()) doc.view.geometry = o.view == "geometry";
  if (!o.compare.empty()) doc.view.compare = o.compare == "grid" ? CompareView::Grid : CompareView::Overlay;
  App app(std::move(doc.state), prefs, doc.view);
  app.setFontWarning(fontWarning);
  app.setMarkerSprites(fonts.sprites);
  // The file's notices: its app fields, then runs entries that were skipped or cut (the others load).
  std::string notice = doc.warning;
  if (!doc.runWarnings.empty()) notice += (notice.empty() ? "" : "; ") + doc.runWarnings;
  if (!notice.empty()) {
    std::cerr << "attnmd: " << notice << '\n';
    app.notify(notice);
  }
  // Files, preferences, autosave and recovery. Scripted runs leave the user's state alone (and are not
  // affected by it) unless --user-state.
  FileSessionOptions session;
  const bool userState = !o.scripted() || o.userState;
  if (!userState) {
    session.dirs = UserDirs{};
    session.autosave = false;
  }
  for (const std::string& m : app.startSession(session)) {
    std::cerr << "attnmd: " << m << '\n';
    app.notify(m);
  }
  if (!o.scenePath.empty() && !ntpScene) app.session().setOpened(o.scenePath);
  if (ntpScene) {
    app.openNtp(std::move(*ntpScene), o.scenePath);
    for (const std::string& w : app.ntp()->session().run().analysis().warnings)
      std::cerr << "attnmd: " << o.scenePath << ": warning: " << w << '\n';
  }
  if (userState) {
    const UserPrefs& up = app.session().prefs();
    if (o.uiScale <= 0 && up.uiScale > 0) app.setUiScale(up.uiScale);  // font rebuild before frame 1
    if (!o.themeGiven) app.setTheme(up.theme);
  }
  if (!o.show.empty()) app.show(o.show);
  if (o.present) app.setPresenting(true);
  if (!o.lesson.empty() && !app.openLesson(o.lesson)) {
    std::cerr << "attnmd: --lesson: " << std::get<std::string>(bundledLesson(o.lesson)) << '\n';
    return 2;
  }
  if (o.steps > 0) {
    if (app.ntp())
      app.ntp()->session().requestSteps(o.steps);
    else
      app.lab().requestSteps(o.steps);
  }
  bool atPending = o.at >= 0;  // --at K: once the steps are trained
  if (bench) {
    app.runControls().fastForward = true;
    if (app.ntp())
      app.ntp()->session().setPlaying(true);
    else
      app.lab().setPlaying(true);
  }

  // --screenshot / --exit: a scripted start that ends with the screenshot (and the exit).
  bool scripted = !o.screenshotPath.empty() || o.exitAfter || !o.animation.path.empty();
  int settle = 0;
  std::vector<double> frameMs, uiMs, renderMs;
  double cpuStart = 0, workerCpuStart = 0;
  auto last = Clock::now();
  int frameIndex = 0;
  int exitCode = 0;
  std::string title;
  bool bundleRequested = false, bundleDone = false;
  bool animationRequested = false;  // --export-animation started
  while (!platform->shouldClose() && !app.quitApproved()) {
    const bool busy =
        app.animating() || scripted || bench || app.exports().capturePending() || app.animation().active();
    platform->processEvents(busy ? 0.0 : kIdleWaitSeconds);
    if (platform->takeCloseRequest()) {
      if (scripted) break;
      app.requestQuit();  // asks about unsaved changes; the loop ends once approved
    }
    if (std::vector<std::string> dropped = platform->takeDroppedPaths(); !dropped.empty())
      app.session().openDropped(app.document(), dropped);
    if (app.takeFontRebuild()) {
      app.setMarkerSprites(buildFonts(*ImGui::GetIO().Fonts, app.preferences().uiScale, fontPath).sprites);
      platform->reloadFontTexture();
    }
    if (const std::string t = app.windowTitle(); t != title) platform->setTitle(title = t);
    // Presentation mode goes full screen, except in scripted runs (their screenshots keep --size).
    if (const std::optional<bool> full = app.takeFullscreenRequest(); full && !scripted && !bench)
      platform->setFullscreen(*full);
    // An export asked for pixels in the last frame (from a menu): this frame is rendered offscreen too,
    // without the menu and the pointer's hover effects.
    const std::optional<CaptureRequest> exportCapture = app.exports().takeCapture();
    if (exportCapture) scaleFontsForCapture(app, *platform, fontPath, exportCapture->factor);
    // An animation export: the timeline goes to the next frame's step; once every run shows it (and its
    // SVM), that frame is captured offscreen below.
    bool animationCapture = false;
    if (AnimationExport& anim = app.animation(); anim.active()) {
      Lab& lab = app.lab();
      const long long want = anim.wantedStep();
      if (lab.cursor() != want && lab.setCursor(want) != want)
        anim.fail("animation export stopped: step " + std::to_string(want) +
                  " is no longer trained (the run was reset)");
      if (anim.active())
        animationCapture =
            anim.captureThisFrame(lab.cursorSettled() && !lab.theoryPending() ? lab.cursor() : std::nullopt);
    }
    const auto uiStart = Clock::now();
    if (bench && o.benchDrag) benchDragStep(app.document(), frameIndex);
    platform->beginFrame(scripted || bench || exportCapture.has_value() || animationCapture);
    app.frame();
    const auto uiEnd = Clock::now();

    // --steps with --screenshot/--exit: wait for the steps, then let the layout settle a few frames.
    bool capture = false, done = false;
    if (atPending && app.lab().pendingSteps() == 0 && !app.lab().busy()) {
      atPending = false;
      const std::optional<long long> k = app.lab().setCursor(o.at);
      if (k && *k != o.at) {
        const std::string m = "--at " + std::to_string(o.at) + ": only " + std::to_string(*k) +
                              " steps are trained; showing step " + std::to_string(*k);
        std::cerr << "attnmd: " << m << '\n';
        app.notify(m);
      }
    }
    if (scripted && !bench && !animationRequested) {
      if (app.lab().pendingSteps() == 0 && !app.lab().busy() && !atPending && app.lab().cursorSettled() &&
          (!app.ntp() || app.ntp()->session().pendingSteps() == 0))
        ++settle;
      else
        settle = 0;
      if (settle >= kSettleFrames) {
        capture = !o.screenshotPath.empty();
        done = true;
      }
    }
    Image shot;
    const std::vector<ClearRegion> clears = app.clearRegions();
    platform->endFrame(clears, capture ? &shot : nullptr);
    const auto renderEnd = Clock::now();
    if (exportCapture) {
      int fbw = 0, fbh = 0;
      platform->framebufferSize(fbw, fbh);
      const float k =
          (ImGui::GetIO().DisplaySize.x > 0 ? static_cast<float>(fbw) / ImGui::GetIO().DisplaySize.x : 1.f) *
          exportCapture->factor;
      std::string error;
      const Image frame = renderOffscreen(ImGui::GetDrawData(), k, clears, error);
      if (!error.empty()) app.notify("export failed: " + error);
      restoreFonts(app, *platform, fontPath, exportCapture->factor);
      const ExportReport r = app.exports().finishCapture(*exportCapture, frame, k, app.exportSources());
      if (exportCapture->bundle && !o.exportBundleDir.empty()) {  // --export-bundle
        bundleDone = true;
        (r.ok() ? std::cout : std::cerr) << "attnmd: " << r.summary() << '\n';
        if (!r.ok()) exitCode = 3;
      }
    }
    if (animationCapture) {
      int fbw = 0, fbh = 0;
      platform->framebufferSize(fbw, fbh);
      const float k =
          ImGui::GetIO().DisplaySize.x > 0 ? static_cast<float>(fbw) / ImGui::GetIO().DisplaySize.x : 1.f;
      std::string error;
      const Image frame = renderOffscreen(ImGui::GetDrawData(), k, clears, error);
      if (!error.empty())
        app.animation().fail("animation export failed: " + error);
      else
        app.animation().addFrame(frame, k, app.exportSources());
    }
    if (std::optional<AnimationExport::Outcome> out = app.animation().takeOutcome()) {
      app.lab().setCursor(out->cursor);
      app.notify(out->message);
      if (animationRequested) {
        (out->ok ? std::cout : std::cerr) << "attnmd: " << out->message << '\n';
        if (!out->ok) exitCode = 3;
      }
    }
    if (capture) {
      if (std::string e = writePng(o.screenshotPath, shot); !e.empty()) {
        std::cerr << "attnmd: " << e << '\n';
        exitCode = 3;
      } else {
        std::cout << "attnmd: wrote " << o.screenshotPath << " (" << shot.width << "x" << shot.height
                  << ")\n";
      }
      if (!o.layoutJsonPath.empty())
        if (std::string e = writeLayoutJson(o.layoutJsonPath, app, shot.width, shot.height); !e.empty())
          std::cerr << "attnmd: " << e << '\n';
    }
    if (done && !o.exportBundleDir.empty() && !bundleRequested) {
      // --export-bundle: the bundle is rendered from the next frame (as from the Export menu).
      std::error_code ec;
      std::filesystem::create_directories(o.exportBundleDir, ec);
      app.session().prefs().exportFolder = o.exportBundleDir;
      app.exports().requestBundle();
      bundleRequested = true;
      done = false;
    }
    if (bundleDone) done = true;
    if (done && !o.animation.path.empty() && !animationRequested) {
      // --export-animation: frames from the next frame on, as from the Export menu.
      animationRequested = true;
      if (std::string e = app.startAnimation(o.animation); !e.empty()) {
        std::cerr << "attnmd: --export-animation: " << e << '\n';
        exitCode = 2;
      }
    }
    if (animationRequested) done = !app.animation().active();
    if (done) {
      if (o.exitAfter) break;
      scripted = false;  // screenshot taken: carry on interactively
    }

    const auto now = Clock::now();
    if (bench) {
      if (frameIndex == kBenchWarmupFrames) {
        cpuStart = processCpuSeconds();
        workerCpuStart = app.lab().workerCpuSeconds();
      }
      if (frameIndex >= kBenchWarmupFrames) {
        frameMs.push_back(std::chrono::duration<double, std::milli>(now - last).count());
        uiMs.push_back(std::chrono::duration<double, std::milli>(uiEnd - uiStart).count());
        renderMs.push_back(std::chrono::duration<double, std::milli>(renderEnd - uiEnd).count());
      }
      if (static_cast<int>(frameMs.size()) >= o.benchFrames) {
        int tokens = 0;  // of the scene shown: the NTP scene's sentences, else the document's sequences
        if (app.ntp())
          for (const auto& q : app.ntp()->session().scene().sentences)
            tokens += static_cast<int>(q.tokens.size());
        else
          for (const auto& q : app.document().scene().sequences) tokens += static_cast<int>(q.tokens.rows());
        const double stepsPerSecond =
            app.ntp() ? app.ntp()->session().stepsPerSecond() : app.lab().stepsPerSecond();
        const ImDrawData* dd = ImGui::GetDrawData();
        const double frames = static_cast<double>(frameMs.size());
        const double workerCpu = app.lab().workerCpuSeconds() - workerCpuStart;
        const double frameCpuMs = 1000.0 * (processCpuSeconds() - cpuStart - workerCpu) / frames;
        std::cout << "attnmd: " << formatFrameStats(frameStats(frameMs)) << " at " << o.width << "x"
                  << o.height << " with " << tokens << " tokens, training at "
                  << static_cast<long long>(stepsPerSecond) << " steps/s\n"
                  << "attnmd:   UI build (ImGui + panels): mean " << frameStats(uiMs).meanMs << " ms, p95 "
                  << frameStats(uiMs).p95Ms << " ms; render + swap: mean " << frameStats(renderMs).meanMs
                  << " ms, p95 " << frameStats(renderMs).p95Ms << " ms; " << (dd ? dd->TotalVtxCount : 0)
                  << " vertices, " << (dd ? dd->TotalIdxCount / 3 : 0) << " triangles per frame\n"
                  << "attnmd:   CPU per frame without the training thread: " << frameCpuMs
                  << " ms (UI + renderer threads; independent of other load); training thread: "
                  << 1000.0 * workerCpu / frames << " ms per frame\n";
        break;
      }
    }
    last = now;
    ++frameIndex;
  }
  // A clean exit: preferences saved, this session's autosave and marker removed.
  app.session().finish();
  return exitCode;
}

}  // namespace attnmd::gui
