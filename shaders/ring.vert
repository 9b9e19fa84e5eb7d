// Rings, discs and badges at a depth (the selected token's ring, the markers' inner rings and holes,
// v's handle, the origin dot; the optimal token's star and the support diamond): one quad per
// instance, ring.frag cuts the shape out of it by its signed distance.
layout(location = 0) in vec4 aCentre;   // x, y, z, outer radius of the quad (points)
layout(location = 1) in vec4 aColour;   // RGBA: the ring, disc or badge fill
layout(location = 2) in vec4 aOutline;  // RGBA: a badge's outline
layout(location = 3) in vec3 aShape;    // ring: inner radius (0: a disc); badge: its radius; outline width; kind

uniform vec2 uCanvasMin;
uniform vec2 uCanvasSize;
uniform vec2 uDepthRange;  // (farthest z, nearest z)
uniform float uPixelsPerPoint;

out vec2 vLocal;
flat out vec4 vColour;
flat out vec2 vRadii;  // inner (badge: its radius), outer
flat out vec4 vOutline;
flat out vec2 vBadge;  // outline width, kind (0 ring or disc, 1 star, 2 diamond)

// Each item is two triangles of its own six vertices (the item's data repeated in each): one draw of
// plain triangles, which Mesa's software rasterizer runs as one batch, where instancing ran one small
// draw per item.
const int kQuadCorner[6] = int[6](0, 1, 2, 2, 1, 3);

void main() {
  int corner = kQuadCorner[gl_VertexID % 6];
  vec2 at = vec2(float(corner & 1), float(corner >> 1)) * 2.0 - 1.0;
  float extent = aCentre.w + 1.0 / uPixelsPerPoint;
  vec2 p = aCentre.xy + at * extent;
  vLocal = at * extent;
  vColour = aColour;
  vRadii = vec2(aShape.x, aCentre.w);
  vOutline = aOutline;
  vBadge = aShape.yz;
  vec2 ndc = vec2((p.x - uCanvasMin.x) / uCanvasSize.x * 2.0 - 1.0, 1.0 - (p.y - uCanvasMin.y) / uCanvasSize.y * 2.0);
  float zn = 1.0 - 2.0 * (aCentre.z - uDepthRange.x) / max(uDepthRange.y - uDepthRange.x, 1e-6);
  gl_Position = vec4(ndc, clamp(zn, -1.0, 1.0), 1.0);
}
