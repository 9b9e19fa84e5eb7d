// Thick lines as instanced quads (grid, axes, drop lines, rays, arrow shafts, plane edges): one quad
// per segment, a pixel wider and longer than the line for segment.frag's anti-aliased edges. Butt
// ends, as the SVG export draws them. Depth is interpolated from the ends (exact for an orthographic
// view), so lines need no depth of their own in the fragment shader.
layout(location = 0) in vec4 aEnds;      // a.x, a.y, b.x, b.y (points)
layout(location = 1) in vec4 aDepth;     // z at a, z at b, width (points), unused
layout(location = 2) in vec4 aColour;    // RGBA
layout(location = 3) in vec2 aPattern;   // dash, gap (points; dash 0: solid)

uniform vec2 uCanvasMin;
uniform vec2 uCanvasSize;
uniform vec2 uDepthRange;  // (farthest z, nearest z)
uniform float uPixelsPerPoint;

out vec2 vAlongAcross;  // position along the line from a and across it, in points
flat out vec4 vColour;
flat out vec4 vShape;   // length, half width, dash, gap

// Each item is two triangles of its own six vertices (the item's data repeated in each): one draw of
// plain triangles, which Mesa's software rasterizer runs as one batch, where instancing ran one small
// draw per item.
const int kQuadCorner[6] = int[6](0, 1, 2, 2, 1, 3);

void main() {
  int corner = kQuadCorner[gl_VertexID % 6];
  vec2 a = aEnds.xy, b = aEnds.zw;
  vec2 d = b - a;
  float len = length(d);
  vec2 u = len > 1e-6 ? d / len : vec2(1.0, 0.0);
  vec2 v = vec2(-u.y, u.x);
  float aa = 1.0 / uPixelsPerPoint;
  // Lines thinner than a pixel are drawn one pixel wide at proportionally lower opacity.
  float width = max(aDepth.z, aa);
  float along = (corner & 1) == 0 ? -aa : len + aa;
  float across = (corner >> 1) == 0 ? -(0.5 * width + aa) : 0.5 * width + aa;
  vec2 p = a + u * along + v * across;
  float t = len > 1e-6 ? along / len : 0.0;
  float z = mix(aDepth.x, aDepth.y, t);
  vAlongAcross = vec2(along, across);
  vColour = vec4(aColour.rgb, aColour.a * min(1.0, aDepth.z / aa));
  vShape = vec4(len, 0.5 * width, aPattern.x, aPattern.y);
  vec2 ndc = vec2((p.x - uCanvasMin.x) / uCanvasSize.x * 2.0 - 1.0, 1.0 - (p.y - uCanvasMin.y) / uCanvasSize.y * 2.0);
  float zn = 1.0 - 2.0 * (z - uDepthRange.x) / max(uDepthRange.y - uDepthRange.x, 1e-6);
  gl_Position = vec4(ndc, clamp(zn, -1.0, 1.0), 1.0);
}
