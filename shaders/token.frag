// A token's marker: a sphere impostor (label +1) or a bevelled square tile (label -1), with soft
// diffuse + specular shading, depth cueing (farther markers fade towards the background) and an
// analytic anti-aliased edge one pixel wide; writes the depth of the surface it shows. With DENSE (the
// renderer's variant for many tokens, drawn near to far): opaque, hard-edged, no depth written, so the
// rasterizer can reject hidden pixels before shading them.
in vec2 vLocal;
flat in vec4 vFill;
flat in vec4 vOutline;
flat in vec4 vParams;  // radius, outline width, shape, z
flat in float vCycle;   // colours repeat after six: an inner ring (odd cycles), a bar (>= 2)

uniform vec2 uDepthRange;  // (farthest z, nearest z)
uniform vec2 uCue;         // (z at full fade, z at no fade)
uniform float uCueStrength;
uniform vec3 uBackground;
uniform float uPixelsPerPoint;

out vec4 fragColour;

void main() {
#ifdef DENSE
  // A point sprite: gl_PointCoord runs from the top left (0, 0) to the bottom right (1, 1), y down.
  vec2 local = (gl_PointCoord * 2.0 - 1.0) * (vParams.x + vParams.y + 1.0 / uPixelsPerPoint);
#else
  vec2 local = vLocal;
#endif
  float r = vParams.x, outlineWidth = vParams.y;
  float aa = 1.0 / uPixelsPerPoint;  // one pixel, in points
  float dist;                        // signed distance from the marker's edge (negative inside)
  vec3 n;                            // surface normal, z towards the viewer
  float height;                      // how far the surface stands out in front of the centre
  if (vParams.z < 0.5) {
    float d = length(local);
    dist = d - r;
    float k = clamp(d / r, 0.0, 1.0);
    // Unit length inside the disc (k <= 1), which is all that is shaded; no normalize per pixel.
    n = vec3(local.x / r, -local.y / r, sqrt(max(0.0, 1.0 - k * k)));
    height = n.z * r;
  } else {
    float h = 0.9 * r;  // as the 2D square: the same visual weight as the disc
    vec2 a = abs(local);
    dist = max(a.x, a.y) - h;
    float bevel = 0.3 * h;
    vec2 slope = clamp((a - (h - bevel)) / bevel, 0.0, 1.0) * sign(local);
    n = normalize(vec3(0.7 * slope.x, -0.7 * slope.y, 1.0));
    height = 0.5 * h;
  }
  float coverage = clamp(0.5 - (dist - outlineWidth) / aa, 0.0, 1.0);
#ifdef DENSE
  if (coverage < 0.5) discard;  // hard edges: a blended edge drawn near to far would halo the token behind
#else
  if (coverage <= 0.0) discard;
#endif

  vec3 light = normalize(vec3(-0.45, 0.6, 0.75));  // from the upper left, in front
  float diffuse = max(dot(n, light), 0.0);
  // x^28 as x^16 x^8 x^4 (llvmpipe evaluates pow() as exp2(log2): most of this shader's cost).
  float x1 = max(dot(reflect(-light, n), vec3(0.0, 0.0, 1.0)), 0.0);
  float x4 = x1 * x1;
  x4 *= x4;
  float x8 = x4 * x4;
  float specular = x8 * x8 * x8 * x4;
  vec3 shaded = vFill.rgb * (0.62 + 0.5 * diffuse) + vec3(0.28 * specular);
  float far = clamp((uCue.y - vParams.w) / max(uCue.y - uCue.x, 1e-6), 0.0, 1.0);
  shaded = mix(shaded, uBackground, uCueStrength * far);

  // The second channel of repeated sequence colours, in the background colour as in the 2D canvas.
  if (vCycle > 0.5) {
    float mark = 0.0;
    if (mod(vCycle + 0.5, 2.0) > 1.0) {
      float w = max(0.2 * r, aa);
      mark = clamp(0.5 - (abs(length(local) - 0.55 * r) - 0.5 * w) / aa, 0.0, 1.0);
    }
    if (vCycle > 1.5) {
      vec2 q = abs(local) - vec2(0.6 * r, 0.5 * max(0.25 * r, aa));
      mark = max(mark, clamp(0.5 - max(q.x, q.y) / aa, 0.0, 1.0));
    }
    shaded = mix(shaded, uBackground, mark);
  }
  float onOutline = outlineWidth > 0.0 ? clamp(0.5 + dist / aa, 0.0, 1.0) : 0.0;
  vec3 colour = mix(shaded, vOutline.rgb, onOutline);
  float alpha = coverage * mix(vFill.a, vOutline.a, onOutline);
#ifdef DENSE
  fragColour = vec4(min(colour, vec3(1.0)), 1.0);
#else
  fragColour = vec4(min(colour, vec3(1.0)), alpha);

  float z = vParams.w + (dist < 0.0 ? height : 0.0);
  // Window depth of token.vert's mapping: 0 at the nearest z of the frame, 1 at the farthest.
  gl_FragDepth = clamp(1.0 - (z - uDepthRange.x) / max(uDepthRange.y - uDepthRange.x, 1e-6), 0.0, 1.0);
#endif
}
