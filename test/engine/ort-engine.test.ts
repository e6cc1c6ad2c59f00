// The CPU engine (ONNX graphs on ORT) against the float64 reference of SPEC.md, through the
// harness every engine must pass: every task x activation x optimiser, two runs side by side with
// their own learning rate, schedule, L1, bias offset and bias decay; one step at the start (zero
// moments), one step mid-run, and 32 steps across step 1024, where the paper's schedule restarts
// and, at T = 2^11, bias decay ends. Then whole runs through the training loop, which adds the
// data, the records and the snapshots.
import { describe, it } from 'vitest';
import { nodeRuntime } from '../../src/train/device.js';
import { OrtEngine } from '../../src/train/ort-engine.js';
import { train } from '../../src/train/train.js';
import {
  caseConfigs,
  caseWindow,
  ENGINE_CASES,
  expectReferenceRun,
  expectWithin,
  ONE_STEP,
  WHOLE_RUNS,
  wholeRunConfig,
  WINDOW,
} from './harness.js';

describe('the CPU engine against the float64 reference', () => {
  it.each(ENGINE_CASES)('$task, $nonlinearity, $optimizer', async ({ task, nonlinearity, optimizer }) => {
    const cfgs = caseConfigs(task, nonlinearity, optimizer);
    const window = (first: number, steps: number, moments: boolean, loop: 'scan' | 'unrolled' = 'scan') =>
      caseWindow(
        (c, e) => OrtEngine.create(c, e, { runtime: nodeRuntime('cpu', 1), loop }),
        cfgs,
        first,
        steps,
        moments,
      );
    expectWithin(await window(0, 1, false), ONE_STEP[optimizer]);
    expectWithin(await window(1023, 1, true), ONE_STEP[optimizer]);
    expectWithin(await window(1008, 32, true), WINDOW[optimizer]);
    expectWithin(await window(1008, 32, true, 'unrolled'), WINDOW[optimizer]);
  });
});

describe('whole runs through the training loop against the reference', () => {
  it.each(WHOLE_RUNS)(
    '$task, $nonlinearity: the loss of every 16th step before its update, and every snapshot',
    async (run) => {
      const cfg = wholeRunConfig(run);
      expectReferenceRun(cfg, await train(cfg, { threads: 1 }));
    },
  );
});
