// Filled triangles at depth: translucent margin planes, arrow heads, badges (stars, diamonds). Each
// instance is one triangle whose corners move a pixel outwards, so triangle.frag can ramp the
// coverage over the edges that are outlines of the shape (bit k of the mask: edge from corner k to
// k+1); inner edges of a fan are cut hard, so neighbouring triangles neither overlap nor leave seams.
// The distances to the three edge lines are affine in the position, so interpolating them is exact.
layout(location = 0) in vec3 aP0;
layout(location = 1) in vec3 aP1;
layout(location = 2) in vec3 aP2;  // x, y (points), z
layout(location = 3) in vec4 aColour;
layout(location = 4) in float aEdgeMask;

uniform vec2 uCanvasMin;
uniform vec2 uCanvasSize;
uniform vec2 uDepthRange;  // (farthest z, nearest z)
uniform float uPixelsPerPoint;

out vec3 vEdgeDistance;  // signed distance to each edge line, positive inside, in points
flat out vec4 vColour;
flat out float vMask;

void main() {
  vec3 P[3] = vec3[3](aP0, aP1, aP2);
  int i = gl_VertexID % 3;  // each triangle has its own three vertices (one draw, no instancing)
  vec2 p = P[i].xy;
  vec2 e01 = P[1].xy - P[0].xy, e02 = P[2].xy - P[0].xy;
  float area = e01.x * e02.y - e01.y * e02.x;
  float orient = area >= 0.0 ? 1.0 : -1.0;
  // Inward normals of the edges k -> k+1.
  vec2 nIn[3];
  for (int k = 0; k < 3; ++k) {
    vec2 e = P[(k + 1) % 3].xy - P[k].xy;
    nIn[k] = normalize(vec2(-e.y, e.x) * orient + vec2(1e-12));
  }
  // Move the corner out across both of its edges by a pixel (the miter, capped at sharp corners).
  float aa = 1.0 / uPixelsPerPoint;
  vec2 nA = nIn[(i + 2) % 3], nB = nIn[i];
  vec2 miter = -(nA + nB) / max(1.0 + dot(nA, nB), 0.25);
  vec2 q = p + miter * aa;
  for (int k = 0; k < 3; ++k) vEdgeDistance[k] = dot(q - P[k].xy, nIn[k]);
  // The plane through the three corners gives the depth at the moved corner.
  vec2 w = q - P[0].xy;
  float det = abs(area) > 1e-9 ? area : 1e-9;
  float s = (w.x * e02.y - w.y * e02.x) / det, t = (e01.x * w.y - e01.y * w.x) / det;
  float z = P[0].z + s * (P[1].z - P[0].z) + t * (P[2].z - P[0].z);
  vColour = aColour;
  vMask = aEdgeMask;
  vec2 ndc = vec2((q.x - uCanvasMin.x) / uCanvasSize.x * 2.0 - 1.0, 1.0 - (q.y - uCanvasMin.y) / uCanvasSize.y * 2.0);
  float zn = 1.0 - 2.0 * (z - uDepthRange.x) / max(uDepthRange.y - uDepthRange.x, 1e-6);
  gl_Position = vec4(ndc, clamp(zn, -1.0, 1.0), 1.0);
}
