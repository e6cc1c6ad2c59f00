// The most floating-point work WebAssembly can do on one core: a loop of 12 independent f32x4
// chains (acc = acc * x + y), no memory traffic, once with SIMD128's separate multiply and add (all
// onnxruntime-web's kernels use) and once with relaxed SIMD's fused multiply-add. Twelve chains
// cover the FMA latency on two ports, so the loop is bound by throughput. Whatever a WebAssembly
// engine does, its matrix products cannot run faster than this; the playground benchmark turns it
// into a ceiling in samples/s. The module is encoded here byte by byte, so no assembler is needed.

const CHAINS = 12;
/** Floating-point operations of one loop iteration: 12 chains × 4 lanes × (multiply + add). */
export const FLOP_PER_ITERATION = CHAINS * 4 * 2;

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const f32 = (x: number): number[] => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)];
const simd = (op: number): number[] => [0xfd, ...leb(op)];
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const SPLAT = 0x13,
  EXTRACT = 0x1f,
  ADD = 0xe4,
  MUL = 0xe6,
  RELAXED_MADD = 0x105;
const LOOP = [0x03, 0x40],
  END = 0x0b;
const HEADER = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]; // "\0asm", version 1
/** $n -= 1 (i32.const 1, i32.sub, local.tee 0), then br_if back to the loop while $n is not 0. */
const COUNT_DOWN = [...get(0), 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0];

/** (param $n i32) (result f32): $n iterations; locals 1 and 2 hold x and y, 3… the chains. */
function body(fused: boolean): number[] {
  const X = 1,
    Y = 2,
    acc = (i: number) => 3 + i;
  const step = (i: number) =>
    fused
      ? [...get(acc(i)), ...get(X), ...get(Y), ...simd(RELAXED_MADD), ...set(acc(i))]
      : [...get(acc(i)), ...get(X), ...simd(MUL), ...get(Y), ...simd(ADD), ...set(acc(i))];
  const code = [
    ...f32(0.999),
    ...simd(SPLAT),
    ...set(X),
    ...f32(0.001),
    ...simd(SPLAT),
    ...set(Y),
    ...LOOP,
    ...Array.from({ length: CHAINS }, (_, i) => step(i)).flat(),
    ...COUNT_DOWN,
    END,
    ...get(acc(0)),
    ...Array.from({ length: CHAINS - 1 }, (_, i) => [...get(acc(i + 1)), ...simd(ADD)]).flat(),
    ...simd(EXTRACT),
    0,
    END,
  ];
  const locals = vec([[CHAINS + 2, 0x7b]]);
  return [...leb(locals.length + code.length), ...locals, ...code];
}

const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

/** The module's bytes (a plain array, so that it can be handed to a page): exports `mulAdd` (SIMD128) and `fused` (relaxed SIMD). */
export function wasmPeakModule(): number[] {
  return [
    ...HEADER,
    ...section(1, vec([[0x60, ...vec([[0x7f]]), ...vec([[0x7d]])]])),
    ...section(3, vec([[0], [0]])),
    ...section(
      7,
      vec([
        [...name('mulAdd'), 0, 0],
        [...name('fused'), 0, 1],
      ]),
    ),
    ...section(10, vec([body(false), body(true)])),
  ];
}

/**
 * GFLOP/s of each export on this thread: the best of `rounds` timed calls after a warm-up long
 * enough for the optimising tier. Self-contained, so that a browser page can run it as it is.
 */
export function measureWasmPeak(
  bytes: readonly number[],
  flopPerIteration: number,
  iterations = 20_000_000,
  rounds = 3,
): { mulAdd: number; fused: number } {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes))); // small enough to compile synchronously
  const rate = (fn: (n: number) => number): number => {
    fn(iterations / 10);
    let best = 0;
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      fn(iterations);
      best = Math.max(best, (iterations * flopPerIteration) / ((performance.now() - start) / 1000) / 1e9);
    }
    return best;
  };
  const ex = instance.exports as Record<'mulAdd' | 'fused', (n: number) => number>;
  return { mulAdd: rate(ex.mulAdd), fused: rate(ex.fused) };
}
