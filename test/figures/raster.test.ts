import { decode } from 'fast-png';
import { scheme } from 'vega';
import { describe, expect, it } from 'vitest';
import { colormap, colorOf, lutIndex } from '../../src/figures/colormap.js';
import { base64, matrixToPng, pngDataUrl } from '../../src/figures/raster.js';

function rgbAt(png: Uint8Array, x: number, y: number): number[] {
  const img = decode(png);
  const i = y * img.width + x;
  if (img.palette) return img.palette[img.data[i]!]!.slice(0, 3);
  return Array.from(img.data.slice(i * img.channels, i * img.channels + img.channels));
}

describe('colour map', () => {
  it("matches Vega's viridis scheme, so the raster and its legend agree", () => {
    const cm = colormap('viridis');
    const vegaViridis = scheme('viridis') as (t: number) => string;
    for (const i of [0, 1, 17, 100, 128, 200, 254, 255]) {
      const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(vegaViridis(i / 255))!;
      expect(Array.from(cm.lut.slice(i * 3, i * 3 + 3))).toEqual([Number(m[1]), Number(m[2]), Number(m[3])]);
    }
  });

  it('clamps to the domain and maps NaN to -1', () => {
    expect(lutIndex(0, 0, 1.02)).toBe(0);
    expect(lutIndex(1.02, 0, 1.02)).toBe(255);
    expect(lutIndex(5, 0, 1.02)).toBe(255);
    expect(lutIndex(-1, 0, 1.02)).toBe(0);
    expect(lutIndex(0.51, 0, 1.02)).toBe(128);
    expect(lutIndex(Number.NaN, 0, 1)).toBe(-1);
  });
});

describe('raster PNG', () => {
  // 3 neurons x 2 features: neuron n, feature j.
  const m = { rows: 3, cols: 2, data: Float32Array.from([0, 1.02, 0.51, 0, 1.02, 0.255]) };
  const cm = colormap('viridis');

  it('puts the right colour in the right cell (neurons across, features down)', () => {
    const r = matrixToPng(m, { domain: [0, 1.02], transpose: true });
    expect([r.width, r.height]).toEqual([3, 2]);
    for (let n = 0; n < 3; n++) {
      for (let j = 0; j < 2; j++) expect(rgbAt(r.png, n, j)).toEqual(colorOf(cm, m.data[n * 2 + j]!, 0, 1.02));
    }
    expect(rgbAt(r.png, 0, 0)).toEqual([0x44, 0x01, 0x54]); // viridis at 0
    expect(rgbAt(r.png, 0, 1)).toEqual([0xfd, 0xe7, 0x25]); // viridis at 1
  });

  it('draws rows down without transpose, and crops', () => {
    const r = matrixToPng(m, { domain: [0, 1.02], rows: 2 });
    expect([r.width, r.height]).toEqual([2, 2]);
    expect(rgbAt(r.png, 1, 0)).toEqual(colorOf(cm, 1.02, 0, 1.02));
    expect(rgbAt(r.png, 0, 1)).toEqual(colorOf(cm, m.data[2]!, 0, 1.02));
  });

  it('leaves NaN cells transparent', () => {
    const r = matrixToPng({ rows: 1, cols: 2, data: [Number.NaN, 1] }, { domain: [0, 1] });
    const img = decode(r.png);
    expect(img.channels).toBe(4);
    expect(Array.from(img.data.slice(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(img.data.slice(4, 8))).toEqual([...colorOf(cm, 1, 0, 1), 255]);
  });

  it('rejects short data', () => {
    expect(() => matrixToPng({ rows: 2, cols: 2, data: [1, 2, 3] }, { domain: [0, 1] })).toThrow(/expected 4/);
  });

  it('base64-encodes like Buffer does', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 40000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
    expect(pngDataUrl(Uint8Array.from([1, 2, 3]))).toBe('data:image/png;base64,AQID');
  });
});
