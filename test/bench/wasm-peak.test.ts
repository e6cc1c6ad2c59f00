// The WebAssembly peak probe behind the playground benchmark's ceiling: its hand-encoded module
// must be valid and do what FLOP_PER_ITERATION counts, 12 chains of acc = acc * x + y a loop. From
// acc = 0, x = 0.999, y = 0.001, after n loops each chain holds 1 − 0.999^n, and the export returns
// lane 0 of their sum. Node 20 compiles relaxed SIMD only behind a flag, so a child node runs it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FLOP_PER_ITERATION, measureWasmPeak, wasmPeakModule } from '../../bench/wasm-peak.js';

const run = (code: string): unknown =>
  JSON.parse(
    execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', code], {
      encoding: 'utf8',
    }),
  );

describe('wasm peak probe', () => {
  const bytes = JSON.stringify(wasmPeakModule());

  it('computes 12 multiply-add chains a loop, with and without fusion', () => {
    const out = run(`
      const ex = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${bytes}))).exports;
      console.log(JSON.stringify([1, 10, 1000].map((n) => [ex.mulAdd(n), ex.fused(n)])));`) as [number, number][];
    for (const [i, n] of [1, 10, 1000].entries()) {
      const expected = 12 * (1 - 0.999 ** n);
      expect(out[i]![0]).toBeCloseTo(expected, 4);
      expect(out[i]![1]).toBeCloseTo(expected, 4);
    }
    expect(FLOP_PER_ITERATION).toBe(12 * 4 * 2);
  });

  it('measures a positive rate for both, as the page runs it: from its source alone', () => {
    const rates = run(
      `console.log(JSON.stringify((${measureWasmPeak.toString()})(${bytes}, ${FLOP_PER_ITERATION}, 200000, 1)));`,
    ) as {
      mulAdd: number;
      fused: number;
    };
    expect(rates.mulAdd).toBeGreaterThan(0.1);
    expect(rates.fused).toBeGreaterThan(0.1);
  });
});
