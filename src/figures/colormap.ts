// Colour maps as 256-entry lookup tables, built from the same colour stops as Vega's schemes so
// that a raster drawn with the table and a Vega legend drawn with the scheme show the same colours.

export interface Colormap {
  /** The Vega scheme with the same colours, for legends and colour scales. */
  scheme: string;
  /** 256 RGB triples: entry i is the colour at t = i / 255. */
  lut: Uint8Array;
}

// Vega's continuous palettes (vega-scale/src/palettes.js), interpolated piecewise in RGB as Vega does.
const STOPS: Record<string, string> = {
  viridis:
    '440154470e61481a6c482575472f7d443a834144873d4e8a39568c35608d31688e2d708e2a788e27818e23888e21918d1f988b1fa08822a8842ab07f35b77943bf7154c56866cc5d7ad1518fd744a5db36bcdf27d2e21be9e51afde725',
  magma:
    '0000040404130b0924150e3720114b2c11603b0f704a107957157e651a80721f817f24828c29819a2e80a8327db6377ac43c75d1426fde4968e95462f1605df76f5cfa7f5efc8f65fe9f6dfeaf78febf84fece91fddea0fcedaffcfdbf',
};

function buildLut(hex: string): Uint8Array {
  const n = hex.length / 6;
  const stops: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s = hex.slice(i * 6, i * 6 + 6);
    stops.push([parseInt(s.slice(0, 2), 16), parseInt(s.slice(2, 4), 16), parseInt(s.slice(4, 6), 16)]);
  }
  const lut = new Uint8Array(256 * 3);
  const segs = n - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segs;
    const j = Math.min(segs - 1, Math.floor(t));
    const f = t - j;
    for (let c = 0; c < 3; c++) {
      const a = stops[j]![c]!;
      const b = stops[j + 1]![c]!;
      lut[i * 3 + c] = Math.round(a + (b - a) * f);
    }
  }
  return lut;
}

const cache = new Map<string, Colormap>();

/** The named colour map (`viridis`, the default, or `magma`). */
export function colormap(name: 'viridis' | 'magma' = 'viridis'): Colormap {
  let cm = cache.get(name);
  if (!cm) {
    const stops = STOPS[name];
    if (!stops) throw new Error(`unknown colour map ${name}`);
    cm = { scheme: name, lut: buildLut(stops) };
    cache.set(name, cm);
  }
  return cm;
}

/** The LUT index of `value` on the colour domain [lo, hi] (clamped). NaN maps to -1. */
export function lutIndex(value: number, lo: number, hi: number): number {
  if (Number.isNaN(value)) return -1;
  const t = hi > lo ? (value - lo) / (hi - lo) : 0;
  return Math.round(Math.min(1, Math.max(0, t)) * 255);
}

/** The colour of `value` on [lo, hi] as [r, g, b]. */
export function colorOf(cm: Colormap, value: number, lo: number, hi: number): [number, number, number] {
  const i = Math.max(0, lutIndex(value, lo, hi));
  return [cm.lut[i * 3]!, cm.lut[i * 3 + 1]!, cm.lut[i * 3 + 2]!];
}
