import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode } from 'fast-png';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pngSize, renderPng, renderSvg, svgSize, writeFigure } from '../../src/figures/render.js';
import { trainingPlot } from '../../src/figures/training.js';
import { SCALE } from './helpers.js';

const spec = () =>
  trainingPlot({
    scale: SCALE,
    title: 'Text check',
    runs: [
      {
        value: 1,
        snapshots: [0, 1, 2, 3].map((i) => ({
          log2_step: i,
          mono_per_feature: i / 4,
          mean_bias: -i / 10,
          loss: 1 / (i + 1),
        })),
      },
    ],
  });

describe('rendering', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-figures-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('draws text: the title band of the PNG has dark glyph pixels', async () => {
    const svg = await renderSvg(spec());
    const png = renderPng(svg, { scale: 1 });
    const img = decode(png);
    // The title is the only thing in the top 24 px of the figure: black text on white.
    let dark = 0;
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < img.width; x++) {
        const i = (y * img.width + x) * img.channels;
        if (img.data[i]! < 100 && img.data[i + 1]! < 100 && img.data[i + 2]! < 100) dark++;
      }
    }
    expect(dark).toBeGreaterThan(50);
  });

  it('renders PNGs at the requested scale', async () => {
    const svg = await renderSvg(spec());
    const { width, height } = svgSize(svg);
    expect(pngSize(renderPng(svg, { scale: 1 }))).toEqual({ width, height });
    expect(pngSize(renderPng(svg, { scale: 3 }))).toEqual({ width: width * 3, height: height * 3 });
  });

  it('writes name.svg and name.png and returns their paths and pixel size', async () => {
    const out = await writeFigure(path.join(dir, 'figs'), 'training-LR1', spec(), { scale: 2 });
    expect(out.svg).toBe(path.join(dir, 'figs', 'training-LR1.svg'));
    expect(out.png).toBe(path.join(dir, 'figs', 'training-LR1.png'));
    expect(fs.readdirSync(path.join(dir, 'figs')).sort()).toEqual(['training-LR1.png', 'training-LR1.svg']);
    const { width, height } = svgSize(fs.readFileSync(out.svg, 'utf8'));
    expect({ width: out.width, height: out.height }).toEqual({ width: width * 2, height: height * 2 });
    expect(pngSize(fs.readFileSync(out.png))).toEqual({ width: out.width, height: out.height });
    await expect(writeFigure(dir, '../escape', spec())).rejects.toThrow(/figure name/);
  });
});
