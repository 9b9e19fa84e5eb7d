// `attnmd-cli generate`: a preset scene (core/generators.h) to stdout or a file.
#include <ostream>
#include <stdexcept>

#include "app/cli/cli.h"
#include "core/generators.h"
#include "core/ntp_generators.h"
#include "core/scene_io.h"

namespace attnmd::cli {

namespace {

// The next-token prediction presets (core/ntp_generators.h).
int runGenerateNtp(const GenerateOptions& o, const core::NtpGeneratorInfo& info, std::ostream& out,
                   std::ostream& err) {
  if (!info.sized && (o.n || o.T || o.d || o.K)) {
    err << "--preset " << o.preset << ": this scene has a fixed size; --K, --n, --T and --d do not apply\n";
    return kExitBadInput;
  }
  if (o.crossAttention) {
    err << "--cross-attention: only the random preset draws separate queries\n";
    return kExitBadInput;
  }
  core::NtpGeneratorOptions g;
  if (o.K) g.K = *o.K;
  if (o.n) g.n = *o.n;
  if (o.T) g.T = *o.T;
  if (o.d) g.d = *o.d;
  g.seed = o.seed;
  core::NtpScene scene;
  try {
    scene = core::generateNtpScene(o.preset, g);
  } catch (const std::invalid_argument& e) {
    err << "--preset " << o.preset << ": " << e.what() << '\n';
    return kExitBadInput;
  }
  if (o.outFile.empty()) {
    out << core::ntpSceneToJson(scene);
    return kExitOk;
  }
  if (std::string e = core::saveNtpScene(scene, o.outFile, core::Symlinks::Replace); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace

int runGenerate(const GenerateOptions& o, std::ostream& out, std::ostream& err) {
  if (const core::NtpGeneratorInfo* ntp = core::findNtpGenerator(o.preset))
    return runGenerateNtp(o, *ntp, out, err);
  if (o.K) {
    err << "--K: only the ntp-random preset has a vocabulary size\n";
    return kExitBadInput;
  }
  const core::GeneratorInfo* info = core::findGenerator(o.preset);
  if (!info) {
    err << "--preset: unknown preset \"" << o.preset << "\"; the presets are:\n";
    for (const core::GeneratorInfo& g : core::generators())
      err << "  " << g.name << "  " << g.description << '\n';
    for (const core::NtpGeneratorInfo& g : core::ntpGenerators())
      err << "  " << g.name << "  " << g.description << '\n';
    return kExitBadInput;
  }
  if (!info->sized && (o.n || o.T || o.d)) {
    err << "--preset " << o.preset << ": this scene has a fixed size; --n, --T and --d do not apply\n";
    return kExitBadInput;
  }
  if (o.crossAttention && o.preset != "random") {
    err << "--cross-attention: only the random preset draws separate queries\n";
    return kExitBadInput;
  }
  core::GeneratorOptions g = info->defaults;
  if (o.n) g.n = *o.n;
  if (o.T) g.T = *o.T;
  if (o.d) g.d = *o.d;
  g.seed = o.seed;
  g.crossAttention = o.crossAttention;

  core::Scene scene;
  try {
    scene = core::generateScene(o.preset, g);
  } catch (const std::invalid_argument& e) {
    err << "--preset " << o.preset << ": " << e.what() << '\n';
    return kExitBadInput;
  }
  if (o.outFile.empty()) {
    out << core::sceneToJson(scene);
    return kExitOk;
  }
  if (std::string e = core::saveScene(scene, o.outFile, core::Symlinks::Replace); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace attnmd::cli
