// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC11;
// the Random123 library's philox4x32 with 10 rounds) in WGSL. A counter-based generator: the output
// is a pure function of (counter, key), so any thread can draw any number of the stream without
// state or coordination. WGSL has no 64-bit integers, so the high word of each 32 x 32 product is
// assembled from 16-bit halves; the low word is WGSL's wrapping u32 multiply.

export const PHILOX_WGSL = /* wgsl */ `
const PHILOX_M0 = 0xD2511F53u;
const PHILOX_M1 = 0xCD9E8D57u;
const PHILOX_W = vec2<u32>(0x9E3779B9u, 0xBB67AE85u);

// The high 32 bits of a * b: three 16-bit partial sums fit in a u32 without overflow.
fn philox_mulhi(a: u32, b: u32) -> u32 {
  let al = a & 0xFFFFu;
  let ah = a >> 16u;
  let bl = b & 0xFFFFu;
  let bh = b >> 16u;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = ((al * bl) >> 16u) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
  return ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) {
      k += PHILOX_W;
    }
    let hi0 = philox_mulhi(PHILOX_M0, c.x);
    let hi1 = philox_mulhi(PHILOX_M1, c.z);
    c = vec4<u32>(hi1 ^ c.y ^ k.x, PHILOX_M1 * c.z, hi0 ^ c.w ^ k.y, PHILOX_M0 * c.x);
  }
  return c;
}

// Uniform floats in [0, 1): the top 24 bits scaled by 2^-24, all exactly representable in f32.
fn philox_unit(x: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(x >> vec4<u32>(8u)) * (1.0 / 16777216.0);
}
`;
