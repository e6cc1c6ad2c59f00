// The ORT engine on onnxruntime-web's WebAssembly build (the browser's engine without WebGPU),
// here in Node: every task x activation x optimiser against the float64 reference, as the CPU
// engine on onnxruntime-node; whole runs against the reference; and the same seed on both runtimes
// gives the same run to float32 rounding, so a run in a browser reproduces `toymodels train`.
import { describe, expect, it } from 'vitest';
import { nodeRuntime } from '../../src/train/device.js';
import { trainWith } from '../../src/train/loop.js';
import { OrtEngine } from '../../src/train/ort-engine.js';
import { webRuntime } from '../../src/train/ort-web.js';
import { CHUNK } from '../../src/train/loop.js';
import {
  caseConfigs,
  caseWindow,
  ENGINE_CASES,
  expectReferenceRun,
  expectWithin,
  ONE_STEP,
  relDiff,
  WHOLE_RUNS,
  wholeRunConfig,
  WINDOW,
} from './harness.js';

const wasm = webRuntime(1);
const onWasm = (c: Parameters<typeof OrtEngine.create>[0], e: Parameters<typeof OrtEngine.create>[1]) =>
  OrtEngine.create(c, e, { runtime: wasm, loop: 'scan' }, [CHUNK]);

describe('the ORT engine on onnxruntime-web (WebAssembly) against the float64 reference', () => {
  it.each(ENGINE_CASES)('$task, $nonlinearity, $optimizer', async ({ task, nonlinearity, optimizer }) => {
    const cfgs = caseConfigs(task, nonlinearity, optimizer);
    const window = (first: number, steps: number, moments: boolean) => caseWindow(onWasm, cfgs, first, steps, moments);
    expectWithin(await window(0, 1, false), ONE_STEP[optimizer]);
    expectWithin(await window(1008, 32, true), WINDOW[optimizer]);
  });

  it.each(WHOLE_RUNS)('whole run, $task, $nonlinearity: losses and snapshots', async (run) => {
    const cfg = wholeRunConfig(run);
    expectReferenceRun(cfg, (await trainWith([cfg], onWasm))[0]!);
  });

  it('the same seed gives the same run as onnxruntime-node, to float32 rounding', async () => {
    const cfg = wholeRunConfig({ task: 'decoder', nonlinearity: 'ReLU', learning_rate: 0.03 });
    const [web] = await trainWith([cfg], onWasm);
    const [node] = await trainWith([cfg], (c, e) =>
      OrtEngine.create(c, e, { runtime: nodeRuntime('cpu', 1), loop: 'scan' }, [CHUNK]),
    );
    expect(web!.losses.steps).toEqual(node!.losses.steps);
    expect(relDiff(web!.losses.loss, node!.losses.loss)).toBeLessThan(1e-5);
    for (const p of ['W1', 'b1', 'W2'] as const) expect(relDiff(web!.params[p], node!.params[p]), p).toBeLessThan(1e-5);
  });
});
