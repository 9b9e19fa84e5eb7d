// Token markers as impostors: one screen-aligned quad per instance (no sphere mesh), shaded in
// token.frag. Positions in canvas points (ImGui's units), z towards the viewer in the same units.
layout(location = 0) in vec4 aCentre;   // x, y, z, radius
layout(location = 1) in vec4 aFill;     // RGBA (normalized bytes of an ImU32)
layout(location = 2) in vec4 aOutline;  // RGBA
layout(location = 3) in vec4 aStyle;    // outline width, shape (0: sphere, 1: square tile), colour cycle, unused

uniform vec2 uCanvasMin;
uniform vec2 uCanvasSize;
uniform vec2 uDepthRange;  // (farthest z, nearest z) of the frame
uniform float uPixelsPerPoint;

out vec2 vLocal;  // offset from the centre, in points (y down, as on screen)
flat out vec4 vFill;
flat out vec4 vOutline;
flat out vec4 vParams;  // radius, outline width, shape, z
flat out float vCycle;  // sequenceCycle: an inner ring (odd), a bar (>= 2) in the background colour

// Each item is two triangles of its own six vertices (the item's data repeated in each): one draw of
// plain triangles, which Mesa's software rasterizer runs as one batch, where instancing ran one small
// draw per item.
const int kQuadCorner[6] = int[6](0, 1, 2, 2, 1, 3);

void main() {
  float extent = aCentre.w + aStyle.x + 1.0 / uPixelsPerPoint;  // marker, outline and one pixel of AA
#ifdef DENSE
  // Many tokens: one point sprite each (one vertex instead of six; token.frag finds its offset from
  // gl_PointCoord).
  vec2 p = aCentre.xy;
  vLocal = vec2(0.0);
  gl_PointSize = 2.0 * extent * uPixelsPerPoint;
#else
  int corner = kQuadCorner[gl_VertexID % 6];
  // Corners 0..3: (-1,-1), (1,-1), (-1,1), (1,1).
  vec2 at = vec2(float(corner & 1), float(corner >> 1)) * 2.0 - 1.0;
  vec2 p = aCentre.xy + at * extent;
  vLocal = at * extent;
#endif
  vFill = aFill;
  vOutline = aOutline;
  vParams = vec4(aCentre.w, aStyle.x, aStyle.y, aCentre.z);
  vCycle = aStyle.z;
  vec2 ndc = vec2((p.x - uCanvasMin.x) / uCanvasSize.x * 2.0 - 1.0, 1.0 - (p.y - uCanvasMin.y) / uCanvasSize.y * 2.0);
  // The quad lies at the marker's front (centre + radius): token.frag writes the exact depth.
  float zn = 1.0 - 2.0 * (aCentre.z + aCentre.w - uDepthRange.x) / max(uDepthRange.y - uDepthRange.x, 1e-6);
  gl_Position = vec4(ndc, clamp(zn, -1.0, 1.0), 1.0);
}
