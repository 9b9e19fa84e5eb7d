// Coverage of a triangle: ramped over one pixel across its outline edges, cut hard at inner ones.
in vec3 vEdgeDistance;
flat in vec4 vColour;
flat in float vMask;

uniform float uPixelsPerPoint;

out vec4 fragColour;

void main() {
  float aa = 1.0 / uPixelsPerPoint;
  int mask = int(vMask + 0.5);
  float coverage = 1.0;
  for (int k = 0; k < 3; ++k) {
    float d = vEdgeDistance[k];
    if ((mask & (1 << k)) != 0)
      coverage *= clamp(d / aa + 0.5, 0.0, 1.0);
    else if (d < 0.0)
      discard;
  }
  if (coverage <= 0.0) discard;
  fragColour = vec4(vColour.rgb, vColour.a * coverage);
}
