// An anti-aliased annulus (a disc when the inner radius is 0).
in vec2 vLocal;
flat in vec4 vColour;
flat in vec2 vRadii;  // inner, outer

uniform float uPixelsPerPoint;

out vec4 fragColour;

void main() {
  float aa = 1.0 / uPixelsPerPoint;
  float d = length(vLocal);
  float coverage = clamp((vRadii.y - d) / aa + 0.5, 0.0, 1.0);
  if (vRadii.x > 0.0) coverage *= clamp((d - vRadii.x) / aa + 0.5, 0.0, 1.0);
  if (coverage <= 0.0) discard;
  fragColour = vec4(vColour.rgb, vColour.a * coverage);
}
