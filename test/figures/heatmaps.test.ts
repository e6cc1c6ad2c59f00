import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { colorOf, colormap } from '../../src/figures/colormap.js';
import { exactHeatmapSize } from '../../src/figures/heatmap.js';
import { manyFeatureDomain, manyFeatureHeatmaps } from '../../src/figures/many-feature.js';
import { renderPng } from '../../src/figures/render.js';
import { sfaHeatmap, sfaHeatmapRow } from '../../src/figures/sfa-heatmap.js';
import type { Matrix } from '../../src/figures/types.js';
import { embeddedPngs, findAll, renderChecked, SCALE } from './helpers.js';

function diagonal(k: number, N: number): Matrix {
  const data = new Float32Array(k * N);
  for (let n = 0; n < Math.min(k, N); n++) data[n * N + n] = 1;
  return { rows: k, cols: N, data };
}

describe('SFA heat map', () => {
  it('embeds the matrix as a raster with the right colours in the right cells', async () => {
    // 4 neurons x 3 features with known values.
    const values = [0, 0.51, 1.02, 0.255, 0, 0, 1.02, 0.765, 0.1, 0.9, 0.2, 0.3];
    const spec = sfaHeatmap({ scale: SCALE, sfa: { rows: 4, cols: 3, data: values }, width: 200, height: 150 });
    const [png] = embeddedPngs(spec);
    const img = decode(png!);
    expect([img.width, img.height]).toEqual([4, 3]); // neurons across, features down
    const cm = colormap('viridis');
    for (let n = 0; n < 4; n++) {
      for (let j = 0; j < 3; j++) {
        expect(img.palette![img.data[j * 4 + n]!]!.slice(0, 3)).toEqual(colorOf(cm, values[n * 3 + j]!, 0, 1.02));
      }
    }
    // The legend's colour scale has the raster's domain and scheme.
    const legend = findAll(spec, (o) => o.field === 'v')[0]!;
    expect(legend.scale).toMatchObject({ scheme: 'viridis', domain: [0, 1.02] });
    // Enlarged cells are drawn crisp.
    expect(findAll(spec, (o) => o.type === 'image')[0]).toMatchObject({ smooth: false });
    const r = await renderChecked(spec, [
      'neuron (heat-map order)',
      'feature (heat-map order)',
      'SFA',
      'Single-feature activations',
    ]);
    expect(r.svg).toContain('<image');
    expect(r.svg).toContain('data:image/png;base64,');
  });

  it('crops to 1024 neurons x 512 features and says so', async () => {
    const spec = sfaHeatmap({ scale: SCALE, sfa: diagonal(1100, 600) });
    const img = decode(embeddedPngs(spec)[0]!);
    expect([img.width, img.height]).toEqual([1024, 512]);
    // The dashboard's single map still fits its width (it has a hover read-out), shrinking smoothly.
    expect((spec as { width?: number }).width).toBe(512);
    expect(findAll(spec, (o) => o.type === 'image')[0]).toMatchObject({ smooth: true });
    const r = await renderChecked(spec, ['first 1024 of 1100 neurons, 512 of 600 features']);
    expect(r.width).toBeGreaterThan(512);
  });

  it('renders small maps in a row, titled by swept value, note and mark, with one legend', async () => {
    const spec = sfaHeatmapRow({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: [
        { value: 0.001, sfa: diagonal(16, 8), note: 'lowest' },
        { value: 0.01, sfa: diagonal(16, 8), note: 'peak', mark: 'diverged' },
        { value: 0.03, sfa: diagonal(16, 8), mark: 'never-learned' },
      ],
    });
    // The panels fit side by side; a 64 x 64 corner block would be the whole map, so no zoom.
    expect((spec as { hconcat: unknown[] }).hconcat).toHaveLength(3);
    expect(embeddedPngs(spec)).toHaveLength(3);
    const r = await renderChecked(spec, [
      'learning rate = 0.001 (lowest)',
      'learning rate = 0.01 (peak; diverged)',
      'learning rate = 0.03 (never learned)',
    ]);
    expect(r.svg.match(/role-legend"/g)).toHaveLength(1);
  });

  it('sizes maps at one pixel per cell, magnifying thin ones by an integer', () => {
    expect(exactHeatmapSize(1024, 512)).toEqual({ width: 1024, height: 512, magnification: { x: 1, y: 1 } });
    expect(exactHeatmapSize(16, 512)).toEqual({ width: 128, height: 512, magnification: { x: 8, y: 1 } });
    expect(exactHeatmapSize(16, 8)).toEqual({ width: 128, height: 128, magnification: { x: 8, y: 16 } });
    expect(exactHeatmapSize(100, 512, 64)).toEqual({ width: 100, height: 512, magnification: { x: 1, y: 1 } });
  });

  it('stacks full-size maps in a column, each beside a zoom on its corner, one pixel per cell', async () => {
    const spec = sfaHeatmapRow({
      scale: SCALE,
      sweep: { field: 'k' },
      runs: [
        { value: 1024, sfa: diagonal(1100, 600), note: 'highest' },
        { value: 16, sfa: diagonal(16, 512), note: 'lowest' },
      ],
    });
    expect(spec).not.toHaveProperty('hconcat');
    const rows = (spec as { vconcat: { hconcat: { width: number; height: number }[] }[] }).vconcat;
    expect(rows).toHaveLength(2);
    // Each line: the map, then its zoom.
    expect(rows.map((row) => row.hconcat.map((p) => [p.width, p.height]))).toEqual([
      [
        [1024, 512],
        [256, 256],
      ],
      [
        [128, 512],
        [64, 256],
      ],
    ]);
    expect(embeddedPngs(spec).map((png) => [decode(png).width, decode(png).height])).toEqual([
      [1024, 512],
      [64, 64],
      [16, 512],
      [16, 64],
    ]);
    // Every raster is drawn nearest-neighbour: one cell, one (or a whole number of) pixels.
    for (const image of findAll(spec, (o) => o.type === 'image')) expect(image.smooth).toBe(false);

    const r = await renderChecked(spec, [
      '# of neurons = 1024 (highest)',
      '# of neurons = 16 (lowest)',
      'zoom: neurons 0–63 × features 0–63',
      'zoom: neurons 0–15 × features 0–63',
      '4 × 4 px per cell',
      'first 1024 of 1100 neurons, 512 of 600 features',
    ]);
    expect(r.svg.match(/role-legend"/g)).toHaveLength(1);
    expect(r.svg).toMatch(/<image[^>]* width="1024" height="512"/);
    // At PNG scale 1 the 1024 x 512 diagonal is 512 whole pixels of the top colour on one line:
    // none averaged with its neighbours (the zoom's 4 x 4 cells make shorter lines).
    const img = decode(renderPng(r.svg, { scale: 1 }));
    const top = colorOf(colormap('viridis'), 1, 0, 1.02);
    const onLine = new Map<number, number>();
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const p = (y * img.width + x) * img.channels;
        if (top.every((c, i) => img.data[p + i] === c)) onLine.set(x - y, (onLine.get(x - y) ?? 0) + 1);
      }
    }
    expect(Math.max(...onLine.values())).toBe(512);
  });

  it('fits panels on request and zooms on a block of the chosen size', () => {
    const fitted = sfaHeatmapRow({
      scale: SCALE,
      sweep: { field: 'k' },
      runs: [{ value: 1024, sfa: diagonal(1024, 512) }],
      pixelsPerCell: 'fit',
      zoom: 32,
    });
    // Fitted, the map and its zoom fit in a row.
    const [panel, zoom] = (
      fitted as { hconcat: { hconcat: { width: number; height: number; title: { text: string } }[] }[] }
    ).hconcat[0]!.hconcat;
    expect([panel!.width, panel!.height]).toEqual([300, 150]);
    expect([zoom!.width, zoom!.height, zoom!.title.text]).toEqual([256, 256, 'zoom: neurons 0–31 × features 0–31']);
    const img = decode(embeddedPngs(zoom)[0]!);
    expect([img.width, img.height]).toEqual([32, 32]);
    const unzoomed = sfaHeatmapRow({
      scale: SCALE,
      sweep: { field: 'k' },
      runs: [{ value: 1024, sfa: diagonal(1024, 512) }],
      zoom: false,
    });
    expect(embeddedPngs(unzoomed)).toHaveLength(1);
  });
});

describe('many-feature heat maps', () => {
  it('renders one heat map per extra-feature set with a shared legend', async () => {
    const base = diagonal(12, 6);
    const boosted = { ...base, data: Float32Array.from(base.data, (v) => v + 0.4) };
    const spec = manyFeatureHeatmaps({
      scale: SCALE,
      panels: [
        { label: 'no extra features', activations: base },
        { label: 'extra feature 2', activations: boosted },
      ],
    });
    expect(embeddedPngs(spec)).toHaveLength(2);
    const r = await renderChecked(spec, [
      'no extra features',
      'extra feature 2',
      'activation',
      'Many-feature activations',
    ]);
    expect(r.svg.match(/role-legend"/g)).toHaveLength(1);
  });

  it('widens the colour domain only when activations exceed 1.02', () => {
    expect(manyFeatureDomain([{ label: 'a', activations: diagonal(4, 4) }])).toEqual([0, 1.02]);
    expect(manyFeatureDomain([{ label: 'a', activations: { rows: 1, cols: 2, data: [0.2, 1.734] } }])).toEqual([
      0, 1.74,
    ]);
  });
});
