import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { colorOf, colormap } from '../../src/figures/colormap.js';
import { manyFeatureDomain, manyFeatureHeatmaps } from '../../src/figures/many-feature.js';
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
    const r = await renderChecked(spec, ['neuron (heat-map order)', 'feature (heat-map order)', 'SFA', 'Single-feature activations']);
    expect(r.svg).toContain('<image');
    expect(r.svg).toContain('data:image/png;base64,');
  });

  it('crops to 1024 neurons x 512 features and says so', async () => {
    const spec = sfaHeatmap({ scale: SCALE, sfa: diagonal(1100, 600) });
    const img = decode(embeddedPngs(spec)[0]!);
    expect([img.width, img.height]).toEqual([1024, 512]);
    const r = await renderChecked(spec, ['first 1024 of 1100 neurons, 512 of 600 features']);
    expect(r.width).toBeGreaterThan(512);
  });

  it('renders a row of heat maps titled by swept value with one legend', async () => {
    const spec = sfaHeatmapRow({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: [0.001, 0.01].map((value) => ({ value, sfa: diagonal(16, 8) })),
    });
    expect((spec as { hconcat: unknown[] }).hconcat).toHaveLength(2);
    expect(embeddedPngs(spec)).toHaveLength(2);
    const r = await renderChecked(spec, ['learning rate = 0.001', 'learning rate = 0.01']);
    expect(r.svg.match(/role-legend"/g)).toHaveLength(1);
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
    const r = await renderChecked(spec, ['no extra features', 'extra feature 2', 'activation', 'Many-feature activations']);
    expect(r.svg.match(/role-legend"/g)).toHaveLength(1);
  });

  it('widens the colour domain only when activations exceed 1.02', () => {
    expect(manyFeatureDomain([{ label: 'a', activations: diagonal(4, 4) }])).toEqual([0, 1.02]);
    expect(manyFeatureDomain([{ label: 'a', activations: { rows: 1, cols: 2, data: [0.2, 1.734] } }])).toEqual([0, 1.74]);
  });
});
