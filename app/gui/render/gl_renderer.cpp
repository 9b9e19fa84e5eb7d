// [SECTION] instances: the layer's items as per-instance vertex data
// [SECTION] programs, vertex arrays, framebuffers
// [SECTION] drawing
#include "app/gui/render/gl_renderer.h"

#include <GL/gl.h>
#include <GL/glext.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "app/gui/render/shader_program.h"

namespace attnmd::gui {
namespace {

DepthRenderer* gCurrentDepthRenderer = nullptr;

// =================================================================================================
// [SECTION] instances
// =================================================================================================

}  // namespace

// Layouts of the per-instance attributes of shaders/*.vert (colours as the ImU32's bytes: R first).
// Outside the anonymous namespace: DepthItems (declared in the header) holds them.
struct TokenInstance {
  float x, y, z, radius;
  ImU32 fill, outline;
  float outlineWidth, shape, cycle, unused;
};
struct SegmentInstance {
  float ax, ay, bx, by;
  float za, zb, width, unused;
  ImU32 colour;
  float dash, gap;
};
struct RingInstance {  // a ring or disc (kind 0), or a badge: star (1), diamond (2)
  float x, y, z, outer;
  ImU32 colour, outline;
  float inner, outlineWidth, kind;  // inner: a badge's radius
};
struct TriangleInstance {
  float p[9];  // x, y, z of each corner
  ImU32 colour;
  float edgeMask;  // bit k: the edge from corner k to k+1 is an outline (anti-aliased)
};

// The layer's items as the vertex records of shaders/*.vert (the renderer keeps one, so a frame reuses
// last frame's memory).
struct DepthItems {
  std::vector<TokenInstance> tokens;
  std::vector<SegmentInstance> segments;
  std::vector<RingInstance> rings;
  std::vector<TriangleInstance> solid;   // arrow heads, badges
  std::vector<TriangleInstance> planes;  // translucent fills, drawn last
  float zMin = 1e30f, zMax = -1e30f;

  void see(float z, float extra = 0) {
    zMin = std::min(zMin, z - extra);
    zMax = std::max(zMax, z + extra);
  }
  void segment(ImVec2 a, ImVec2 b, float za, float zb, float width, ImU32 colour, float dash = 0,
               float gap = 0) {
    segments.push_back({a.x, a.y, b.x, b.y, za, zb, width, 0.f, colour, dash, gap});
    see(za);
    see(zb);
  }
  // A closed outline's edge: lengthened by half its width at both ends so corners have no notch.
  void outlineEdge(ImVec2 a, ImVec2 b, float za, float zb, float width, ImU32 colour) {
    const float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
    if (!(len > 0)) return;
    const float ex = 0.5f * width * dx / len, ey = 0.5f * width * dy / len;
    segment(ImVec2(a.x - ex, a.y - ey), ImVec2(b.x + ex, b.y + ey), za, zb, width, colour);
  }
  void ring(ImVec2 c, float z, float inner, float outer, ImU32 colour) {
    rings.push_back({c.x, c.y, z, outer, colour, 0u, std::max(0.f, inner), 0.f, 0.f});
    see(z);
  }
  // One instance per badge: ring.frag draws it from its signed distance (a star fanned into
  // triangles would take 20 instances, and there is one per sequence).
  void badge(ImVec2 c, float z, float radius, ImU32 fill, ImU32 outline, float outlineWidth, float kind) {
    rings.push_back(
        {c.x, c.y, z, radius + 0.5f * outlineWidth + 1.f, fill, outline, radius, outlineWidth, kind});
    see(z);
  }
  static TriangleInstance triangle(ImVec2 a, float za, ImVec2 b, float zb, ImVec2 c, float zc, ImU32 colour,
                                   int mask) {
    return {{a.x, a.y, za, b.x, b.y, zb, c.x, c.y, zc}, colour, static_cast<float>(mask)};
  }
  // A fan around points[0]: only the polygon's own edges are outlines.
  void fan(const std::vector<ImVec2>& pts, const std::vector<float>& z, ImU32 colour,
           std::vector<TriangleInstance>& into) {
    const std::size_t n = pts.size();
    for (std::size_t k = 1; k + 1 < n; ++k) {
      const int mask = 2 | (k == 1 ? 1 : 0) | (k + 2 == n ? 4 : 0);
      into.push_back(triangle(pts[0], z[0], pts[k], z[k], pts[k + 1], z[k + 1], colour, mask));
      see(z[k]);
    }
    if (n) see(z[0]);
  }
};

namespace {

void addDepthShape(DepthItems& in, const DepthShape& d) {
  const CanvasShape& sh = d.shape;
  switch (sh.kind) {
    case ShapeKind::Line:
      in.segment(sh.a, sh.b, d.za, d.zb, sh.thickness, sh.color);
      break;
    case ShapeKind::DashedLine:
      in.segment(sh.a, sh.b, d.za, d.zb, sh.thickness, sh.color, sh.dash, sh.gap);
      break;
    case ShapeKind::Arrow:
    case ShapeKind::DashedArrow: {
      // As draw_util's arrows: the shaft stops 0.8 head short of the tip, a filled triangular head.
      const float dx = sh.b.x - sh.a.x, dy = sh.b.y - sh.a.y, len = std::sqrt(dx * dx + dy * dy);
      if (!(len >= 1e-3f)) break;
      const float head = sh.radius, k = std::max(0.f, len - head * 0.8f) / len;
      const bool dashed = sh.kind == ShapeKind::DashedArrow;
      in.segment(sh.a, ImVec2(sh.a.x + dx * k, sh.a.y + dy * k), d.za, d.za + k * (d.zb - d.za), sh.thickness,
                 sh.color, dashed ? sh.dash : 0.f, dashed ? sh.gap : 0.f);
      const float ux = dx / len, uy = dy / len, tb = std::max(0.f, len - head) / len;
      const ImVec2 base(sh.b.x - ux * head, sh.b.y - uy * head);
      const float zb = d.za + tb * (d.zb - d.za);
      in.solid.push_back(DepthItems::triangle(
          sh.b, d.zb, ImVec2(base.x - uy * head * 0.5f, base.y + ux * head * 0.5f), zb,
          ImVec2(base.x + uy * head * 0.5f, base.y - ux * head * 0.5f), zb, sh.color, 7));
      break;
    }
    case ShapeKind::Circle:
      in.ring(sh.a, d.za, sh.radius - 0.5f * sh.thickness, sh.radius + 0.5f * sh.thickness, sh.color);
      break;
    case ShapeKind::Disc:
      in.ring(sh.a, d.za, 0.f, sh.radius, sh.color);
      break;
    case ShapeKind::Marker:
      in.tokens.push_back({sh.a.x, sh.a.y, d.za, sh.radius, sh.fill, sh.color, sh.thickness,
                           sh.marker == MarkerShape::Circle ? 0.f : 1.f, 0.f, 0.f});
      in.see(d.za, sh.radius);
      break;
    case ShapeKind::Star:
      in.badge(sh.a, d.za, sh.radius, sh.fill, sh.color, sh.thickness, 1.f);
      break;
    case ShapeKind::Diamond:
      in.badge(sh.a, d.za, sh.radius, sh.fill, sh.color, sh.thickness, 2.f);
      break;
    case ShapeKind::Polygon:
      if (sh.points.size() < 3 || d.pointZ.size() != sh.points.size()) break;
      if (sh.fill)
        in.fan(sh.points, d.pointZ, sh.fill, (sh.fill >> IM_COL32_A_SHIFT) == 0xFF ? in.solid : in.planes);
      if (sh.thickness > 0)
        for (std::size_t k = 0; k < sh.points.size(); ++k) {
          const std::size_t j = (k + 1) % sh.points.size();
          in.outlineEdge(sh.points[k], sh.points[j], d.pointZ[k], d.pointZ[j], sh.thickness, sh.color);
        }
      break;
    default:  // text belongs to the overlay ImGui draws, never to the depth layer
      break;
  }
}

// Refills `in` from the layer, keeping its vectors' memory.
void fillDepthItems(DepthItems& in, const DepthLayer& layer) {
  in.tokens.clear();
  in.segments.clear();
  in.rings.clear();
  in.solid.clear();
  in.planes.clear();
  in.zMin = 1e30f;
  in.zMax = -1e30f;
  in.tokens.reserve(layer.tokens.size());
  for (const DepthToken& t : layer.tokens) {
    in.tokens.push_back({t.centre.x, t.centre.y, t.z, t.radius, t.fill, t.outline, t.outlineWidth,
                         t.shape == MarkerShape::Circle ? 0.f : 1.f, static_cast<float>(t.cycle), 0.f});
    in.see(t.z, t.radius);
  }
  in.segments.reserve(layer.segments.size());
  for (const DepthSegment& s : layer.segments) in.segment(s.a, s.b, s.za, s.zb, s.thickness, s.color);
  // Translucent planes far to near (by their corners' mean depth), so overlapping planes blend in
  // order; the other shapes in the layer's order.
  std::vector<const DepthShape*> polygons;
  for (const DepthShape& d : layer.shapes) {
    if (d.shape.kind == ShapeKind::Polygon)
      polygons.push_back(&d);
    else
      addDepthShape(in, d);
  }
  auto meanZ = [](const DepthShape* d) {
    if (d->pointZ.empty()) return d->za;
    float sum = 0;
    for (float z : d->pointZ) sum += z;
    return sum / static_cast<float>(d->pointZ.size());
  };
  std::stable_sort(polygons.begin(), polygons.end(),
                   [&](const DepthShape* a, const DepthShape* b) { return meanZ(a) < meanZ(b); });
  for (const DepthShape* d : polygons) addDepthShape(in, *d);
  if (in.zMin > in.zMax) in.zMin = -1, in.zMax = 1;
  // A margin around the range, so the nearest and farthest surfaces are not clipped.
  const float pad = 1.f + 0.01f * (in.zMax - in.zMin);
  in.zMin -= pad;
  in.zMax += pad;
}

// =================================================================================================
// [SECTION] programs, vertex arrays, framebuffers
// =================================================================================================

// Attribute k of `count` floats (or 4 normalized bytes when `bytes`) at `offset`, one per instance.
void instanceAttribute(GLuint index, int count, bool bytes, std::size_t stride, std::size_t offset) {
  glEnableVertexAttribArray(index);
  if (bytes)
    glVertexAttribPointer(index, 4, GL_UNSIGNED_BYTE, GL_TRUE, static_cast<GLsizei>(stride),
                          reinterpret_cast<const void*>(offset));
  else
    glVertexAttribPointer(index, count, GL_FLOAT, GL_FALSE, static_cast<GLsizei>(stride),
                          reinterpret_cast<const void*>(offset));
  // Not instanced: each item's record is repeated for each of its vertices (see drawBatch).
  glVertexAttribDivisor(index, 0);
}

}  // namespace

DepthRenderer* currentDepthRenderer() {
  return gCurrentDepthRenderer;
}
void setCurrentDepthRenderer(DepthRenderer* renderer) {
  gCurrentDepthRenderer = renderer;
}

std::unique_ptr<DepthRenderer> DepthRenderer::create(std::string& error) {
  std::unique_ptr<DepthRenderer> r(new DepthRenderer());
  if (!r->init(error)) return nullptr;
  return r;
}

bool DepthRenderer::init(std::string& error) {
  const char* names[kPrograms] = {"token", "segment", "ring", "triangle", "token"};
  for (int k = 0; k < kPrograms; ++k) {
    const std::string vert = std::string(names[k]) + ".vert", frag = std::string(names[k]) + ".frag";
    ShaderProgram p = loadShaderProgram(vert, frag, k == kDenseTokens ? "#define DENSE 1\n" : "");
    if (!p.ok()) {
      error = p.error;
      return false;
    }
    Program& prog = programs_[k];
    prog.id = p.program;
    prog.canvasMin = glGetUniformLocation(prog.id, "uCanvasMin");
    prog.canvasSize = glGetUniformLocation(prog.id, "uCanvasSize");
    prog.depthRange = glGetUniformLocation(prog.id, "uDepthRange");
    prog.pixelsPerPoint = glGetUniformLocation(prog.id, "uPixelsPerPoint");
    prog.cue = glGetUniformLocation(prog.id, "uCue");
    prog.cueStrength = glGetUniformLocation(prog.id, "uCueStrength");
    prog.background = glGetUniformLocation(prog.id, "uBackground");
  }
  GLint previousVao = 0, previousBuffer = 0;
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &previousVao);
  glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &previousBuffer);
  auto makeBatch = [](Batch& b) {
    glGenVertexArrays(1, &b.vao);
    glGenBuffers(1, &b.buffer);
    glBindVertexArray(b.vao);
    glBindBuffer(GL_ARRAY_BUFFER, b.buffer);
  };
  makeBatch(tokens_);
  instanceAttribute(0, 4, false, sizeof(TokenInstance), offsetof(TokenInstance, x));
  instanceAttribute(1, 4, true, sizeof(TokenInstance), offsetof(TokenInstance, fill));
  instanceAttribute(2, 4, true, sizeof(TokenInstance), offsetof(TokenInstance, outline));
  instanceAttribute(3, 4, false, sizeof(TokenInstance), offsetof(TokenInstance, outlineWidth));
  makeBatch(segments_);
  instanceAttribute(0, 4, false, sizeof(SegmentInstance), offsetof(SegmentInstance, ax));
  instanceAttribute(1, 4, false, sizeof(SegmentInstance), offsetof(SegmentInstance, za));
  instanceAttribute(2, 4, true, sizeof(SegmentInstance), offsetof(SegmentInstance, colour));
  instanceAttribute(3, 2, false, sizeof(SegmentInstance), offsetof(SegmentInstance, dash));
  makeBatch(rings_);
  instanceAttribute(0, 4, false, sizeof(RingInstance), offsetof(RingInstance, x));
  instanceAttribute(1, 4, true, sizeof(RingInstance), offsetof(RingInstance, colour));
  instanceAttribute(2, 4, true, sizeof(RingInstance), offsetof(RingInstance, outline));
  instanceAttribute(3, 3, false, sizeof(RingInstance), offsetof(RingInstance, inner));
  for (Batch* b : {&solidTriangles_, &planeTriangles_}) {
    makeBatch(*b);
    instanceAttribute(0, 3, false, sizeof(TriangleInstance), offsetof(TriangleInstance, p));
    instanceAttribute(1, 3, false, sizeof(TriangleInstance),
                      offsetof(TriangleInstance, p) + 3 * sizeof(float));
    instanceAttribute(2, 3, false, sizeof(TriangleInstance),
                      offsetof(TriangleInstance, p) + 6 * sizeof(float));
    instanceAttribute(3, 4, true, sizeof(TriangleInstance), offsetof(TriangleInstance, colour));
    instanceAttribute(4, 1, false, sizeof(TriangleInstance), offsetof(TriangleInstance, edgeMask));
  }
  glBindVertexArray(static_cast<GLuint>(previousVao));
  glBindBuffer(GL_ARRAY_BUFFER, static_cast<GLuint>(previousBuffer));
  return true;
}

DepthRenderer::~DepthRenderer() {
  for (Program& p : programs_)
    if (p.id) glDeleteProgram(p.id);
  for (Batch* b : {&tokens_, &segments_, &rings_, &solidTriangles_, &planeTriangles_}) {
    if (b->buffer) glDeleteBuffers(1, &b->buffer);
    if (b->vao) glDeleteVertexArrays(1, &b->vao);
  }
  for (Target& t : targets_) {
    glDeleteFramebuffers(1, &t.framebuffer);
    glDeleteTextures(1, &t.texture);
  }
  for (unsigned d : depthBuffers_) glDeleteRenderbuffers(1, &d);
  if (gCurrentDepthRenderer == this) gCurrentDepthRenderer = nullptr;
}

DepthRenderer::Target& DepthRenderer::targetFor(int w, int h, int frame, std::string& error) {
  if (frame != frame_) {
    frame_ = frame;
    targetsUsed_ = 0;
  }
  if (targetsUsed_ == targets_.size()) {
    Target t;
    glGenFramebuffers(1, &t.framebuffer);
    glGenTextures(1, &t.texture);
    targets_.push_back(t);
    depthBuffers_.push_back(0);
    glGenRenderbuffers(1, &depthBuffers_.back());
  }
  const std::size_t index = targetsUsed_++;
  Target& t = targets_[index];
  if (t.width != w || t.height != h) {
    glBindTexture(GL_TEXTURE_2D, t.texture);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindRenderbuffer(GL_RENDERBUFFER, depthBuffers_[index]);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, t.framebuffer);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, t.texture, 0);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depthBuffers_[index]);
    t.width = w;
    t.height = h;
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
      error =
          "the 3D view's framebuffer (" + std::to_string(w) + "x" + std::to_string(h) + " px) is incomplete";
      t.width = t.height = 0;
    }
  }
  return t;
}

unsigned char* DepthRenderer::map(Batch& b, std::size_t bytes) {
  glBindBuffer(GL_ARRAY_BUFFER, b.buffer);
  if (bytes > b.capacity) {
    b.capacity = std::max(bytes, b.capacity * 3 / 2);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(b.capacity), nullptr, GL_STREAM_DRAW);
  }
  // Written in place: no fresh storage per frame (orphaning the buffer made Mesa allocate and clear
  // megabytes every frame, a tenth of the UI thread at 100,000 tokens). Last frame's draws from it
  // have finished by then (the swap waits for them); a second target in one frame waits for the first.
  return static_cast<unsigned char*>(glMapBufferRange(GL_ARRAY_BUFFER, 0, static_cast<GLsizeiptr>(bytes),
                                                      GL_MAP_WRITE_BIT | GL_MAP_INVALIDATE_RANGE_BIT));
}

void DepthRenderer::unmap() {
  glUnmapBuffer(GL_ARRAY_BUFFER);
}

// =================================================================================================
// [SECTION] drawing
// =================================================================================================

DepthRenderer::Target DepthRenderer::draw(const DepthLayer& layer, ImVec2 mn, ImVec2 mx,
                                          const DepthRenderOptions& o, int frame, std::string& error) {
  error.clear();
  const float ppp = o.pixelsPerPoint > 0 ? o.pixelsPerPoint : 1.f;
  const int w = static_cast<int>(std::lround((mx.x - mn.x) * ppp));
  const int h = static_cast<int>(std::lround((mx.y - mn.y) * ppp));
  GLint maxSize = 0;
  glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &maxSize);
  if (w <= 0 || h <= 0 || w > maxSize || h > maxSize) {
    error = "cannot draw the 3D view at " + std::to_string(w) + "x" + std::to_string(h) + " px";
    return {};
  }
  // The caller's state, restored at the end: ImGui's backend renders after this with its own.
  GLint prevDraw = 0, prevRead = 0, prevProgram = 0, prevVao = 0, prevBuffer = 0, prevViewport[4];
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &prevDraw);
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &prevRead);
  glGetIntegerv(GL_CURRENT_PROGRAM, &prevProgram);
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &prevVao);
  glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &prevBuffer);
  glGetIntegerv(GL_VIEWPORT, prevViewport);
  GLint prevTexture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &prevTexture);
  const GLboolean blend = glIsEnabled(GL_BLEND), depthTest = glIsEnabled(GL_DEPTH_TEST),
                  scissor = glIsEnabled(GL_SCISSOR_TEST), cull = glIsEnabled(GL_CULL_FACE);
  GLint blendSrcRgb = 0, blendDstRgb = 0, blendSrcA = 0, blendDstA = 0;
  glGetIntegerv(GL_BLEND_SRC_RGB, &blendSrcRgb);
  glGetIntegerv(GL_BLEND_DST_RGB, &blendDstRgb);
  glGetIntegerv(GL_BLEND_SRC_ALPHA, &blendSrcA);
  glGetIntegerv(GL_BLEND_DST_ALPHA, &blendDstA);
  GLboolean depthMask = GL_TRUE;
  glGetBooleanv(GL_DEPTH_WRITEMASK, &depthMask);

  Target target = targetFor(w, h, frame, error);
  if (target.width > 0) {
    if (!items_) items_ = std::make_unique<DepthItems>();
    DepthItems& in = *items_;
    fillDepthItems(in, layer);
    glBindFramebuffer(GL_FRAMEBUFFER, target.framebuffer);
    glViewport(0, 0, w, h);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_CULL_FACE);
    const float bg[3] = {static_cast<float>((o.background >> IM_COL32_R_SHIFT) & 0xFF) / 255.f,
                         static_cast<float>((o.background >> IM_COL32_G_SHIFT) & 0xFF) / 255.f,
                         static_cast<float>((o.background >> IM_COL32_B_SHIFT) & 0xFF) / 255.f};
    glClearColor(bg[0], bg[1], bg[2], 1.f);
    glClearDepth(1.0);
    glDepthMask(GL_TRUE);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);  // LEQUAL: a token's ring and badges lie at its front, on equal depth
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);

    auto use = [&](const Program& p) {
      glUseProgram(p.id);
      glUniform2f(p.canvasMin, mn.x, mn.y);
      glUniform2f(p.canvasSize, mx.x - mn.x, mx.y - mn.y);
      glUniform2f(p.depthRange, in.zMin, in.zMax);
      glUniform1f(p.pixelsPerPoint, ppp);
      if (p.cue >= 0) glUniform2f(p.cue, layer.cueFar, layer.cueNear);
      if (p.cueStrength >= 0) glUniform1f(p.cueStrength, layer.cueNear > layer.cueFar ? o.cueStrength : 0.f);
      if (p.background >= 0) glUniform3f(p.background, bg[0], bg[1], bg[2]);
    };
    // Every item as `vertices` vertices of plain triangles carrying the item's record: one draw per
    // batch. (Instanced draws ran one small pipeline pass per item in Mesa's llvmpipe: at 10,000
    // tokens that, not the pixels, was most of the frame.)
    auto drawBatch = [&](Batch& b, const auto& items, int vertices, bool nearFirst = false,
                         GLenum primitive = GL_TRIANGLES) {
      if (items.empty()) return;
      constexpr std::size_t bytes = sizeof(items[0]);
      const std::size_t count = items.size() * static_cast<std::size_t>(vertices);
      unsigned char* out = map(b, count * bytes);
      if (!out) return;
      for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& it = items[nearFirst ? items.size() - 1 - i : i];
        for (int k = 0; k < vertices; ++k, out += bytes) std::memcpy(out, &it, bytes);
      }
      unmap();
      glBindVertexArray(b.vao);
      glDrawArrays(primitive, 0, static_cast<GLsizei>(count));
    };
    // Many tokens: opaque markers near to far, without a depth of their own (token.frag's DENSE), so
    // the rasterizer tests depth before shading and the tokens hidden behind nearer ones cost little:
    // at 100,000 tokens each pixel of the cloud is covered about ten times over.
    // They are point sprites then: one vertex each instead of six (a sixth of the vertex work and data).
    const bool dense = in.tokens.size() > kDenseTokenCount;
    use(programs_[dense ? kDenseTokens : kTokens]);
    if (dense) {
      // GL clips a point sprite by its centre: a marker whose centre is off the canvas would vanish
      // whole. So this pass draws into a viewport grown by the largest sprite's reach on every side,
      // with the canvas grown to match (the same pixels; the target's own bounds cut what lies beyond).
      float reach = 0;  // points: marker and outline, plus one pixel of antialiasing as in token.vert
      for (const TokenInstance& t : in.tokens) reach = std::max(reach, t.radius + t.outlineWidth);
      int guard = static_cast<int>(std::ceil((reach + 1.f / ppp) * ppp));
      GLint maxViewport[2] = {0, 0};
      glGetIntegerv(GL_MAX_VIEWPORT_DIMS, maxViewport);
      if (!(guard > 0) || w + 2 * guard > maxViewport[0] || h + 2 * guard > maxViewport[1]) guard = 0;
      const float gp = static_cast<float>(guard) / ppp;
      const Program& p = programs_[kDenseTokens];
      glViewport(-guard, -guard, w + 2 * guard, h + 2 * guard);
      glUniform2f(p.canvasMin, mn.x - gp, mn.y - gp);
      glUniform2f(p.canvasSize, mx.x - mn.x + 2 * gp, mx.y - mn.y + 2 * gp);
      glEnable(GL_PROGRAM_POINT_SIZE);
      drawBatch(tokens_, in.tokens, 1, true, GL_POINTS);
      glDisable(GL_PROGRAM_POINT_SIZE);
      glViewport(0, 0, w, h);
    } else {
      drawBatch(tokens_, in.tokens, 6);
    }
    use(programs_[kSegments]);
    drawBatch(segments_, in.segments, 6);
    use(programs_[kRings]);
    drawBatch(rings_, in.rings, 6);
    use(programs_[kTriangles]);
    drawBatch(solidTriangles_, in.solid, 3);
    glDepthMask(GL_FALSE);  // translucent planes: tested against everything, hiding nothing
    drawBatch(planeTriangles_, in.planes, 3);
  }

  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(prevDraw));
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(prevRead));
  glViewport(prevViewport[0], prevViewport[1], prevViewport[2], prevViewport[3]);
  glUseProgram(static_cast<GLuint>(prevProgram));
  glBindVertexArray(static_cast<GLuint>(prevVao));
  glBindBuffer(GL_ARRAY_BUFFER, static_cast<GLuint>(prevBuffer));
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(prevTexture));
  glBlendFuncSeparate(static_cast<GLenum>(blendSrcRgb), static_cast<GLenum>(blendDstRgb),
                      static_cast<GLenum>(blendSrcA), static_cast<GLenum>(blendDstA));
  glDepthMask(depthMask);
  auto restore = [](GLenum cap, GLboolean on) { on ? glEnable(cap) : glDisable(cap); };
  restore(GL_BLEND, blend);
  restore(GL_DEPTH_TEST, depthTest);
  restore(GL_SCISSOR_TEST, scissor);
  restore(GL_CULL_FACE, cull);
  return target;
}

Image DepthRenderer::read(const Target& t) const {
  if (!t.framebuffer || t.width <= 0) return {};
  GLint prevRead = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &prevRead);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, t.framebuffer);
  Image img = readFramebuffer(t.width, t.height);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(prevRead));
  return img;
}

}  // namespace attnmd::gui
