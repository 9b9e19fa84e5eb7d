// An anti-aliased annulus (a disc when the inner radius is 0), or a badge: a five-pointed star or a
// diamond with an outline, from its signed distance.
in vec2 vLocal;
flat in vec4 vColour;
flat in vec2 vRadii;  // inner (badge: its radius), outer
flat in vec4 vOutline;
flat in vec2 vBadge;  // outline width, kind (0 ring or disc, 1 star, 2 diamond)

uniform float uPixelsPerPoint;

out vec4 fragColour;

// Signed distance to a five-pointed star of outer radius r, inner radius rf r, one point up
// (Inigo Quilez, "2D distance functions").
float starDistance(vec2 p, float r, float rf) {
  const vec2 k1 = vec2(0.809016994375, -0.587785252292);
  const vec2 k2 = vec2(-k1.x, k1.y);
  p.x = abs(p.x);
  p -= 2.0 * max(dot(k1, p), 0.0) * k1;
  p -= 2.0 * max(dot(k2, p), 0.0) * k2;
  p.x = abs(p.x);
  p.y -= r;
  vec2 ba = rf * vec2(-k1.y, k1.x) - vec2(0.0, 1.0);
  float h = clamp(dot(p, ba) / dot(ba, ba), 0.0, r);
  return length(p - ba * h) * sign(p.y * ba.x - p.x * ba.y);
}

void main() {
  float aa = 1.0 / uPixelsPerPoint;
  if (vBadge.y < 0.5) {
    float d = length(vLocal);
    float coverage = clamp((vRadii.y - d) / aa + 0.5, 0.0, 1.0);
    if (vRadii.x > 0.0) coverage *= clamp((d - vRadii.x) / aa + 0.5, 0.0, 1.0);
    if (coverage <= 0.0) discard;
    fragColour = vec4(vColour.rgb, vColour.a * coverage);
    return;
  }
  vec2 p = vec2(vLocal.x, -vLocal.y);  // y up for the star's point
  float d = vBadge.y < 1.5 ? starDistance(p, vRadii.x, 0.45) : (abs(p.x) + abs(p.y) - vRadii.x) * 0.70710678;
  float fill = vColour.a > 0.0 ? clamp(0.5 - d / aa, 0.0, 1.0) : 0.0;
  float line = vBadge.x > 0.0 ? clamp(0.5 - (abs(d) - 0.5 * vBadge.x) / aa, 0.0, 1.0) : 0.0;
  float alpha = max(fill * vColour.a, line * vOutline.a);
  if (alpha <= 0.0) discard;
  fragColour = vec4(mix(vColour.rgb, vOutline.rgb, line), alpha);
}
