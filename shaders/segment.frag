// Coverage of a thick, optionally dashed line: distance to its sides, its ends and the nearest dash,
// each ramped over one pixel.
in vec2 vAlongAcross;
flat in vec4 vColour;
flat in vec4 vShape;  // length, half width, dash, gap

uniform float uPixelsPerPoint;

out vec4 fragColour;

void main() {
  float aa = 1.0 / uPixelsPerPoint;
  float x = vAlongAcross.x, y = vAlongAcross.y;
  float inside = min(vShape.y - abs(y), min(x, vShape.x - x));  // distance inside the rectangle
  if (vShape.z > 0.0) {
    float period = vShape.z + vShape.w;
    float m = mod(x, period);
    // Inside the current dash, or (negative) how far before the next one starts.
    inside = min(inside, max(min(m, vShape.z - m), m - period));
  }
  float coverage = clamp(inside / aa + 0.5, 0.0, 1.0);
  if (coverage <= 0.0) discard;
  fragColour = vec4(vColour.rgb, vColour.a * coverage);
}
