// A matrix drawn as a raster PNG (one pixel per cell, colours from a lookup table), encoded in pure
// JavaScript so that the same code runs in Node and in the browser, and wrapped in a data URL for
// a Vega `image` mark.
import { encode } from 'fast-png';
import { colormap, lutIndex, type Colormap } from './colormap.js';
import type { Matrix } from './types.js';

export interface RasterOptions {
  /** Colour domain [lo, hi]; values outside are clamped to the end colours. */
  domain: [number, number];
  colormap?: Colormap;
  /**
   * true: image x = matrix row, image y = matrix column (neurons across, features down);
   * false: image x = column, image y = row.
   */
  transpose?: boolean;
  /** Only the first `rows` rows and `cols` columns are drawn. */
  rows?: number;
  cols?: number;
}

export interface Raster {
  width: number;
  height: number;
  png: Uint8Array;
}

/**
 * Encodes the matrix as a PNG: an indexed (palette) PNG when every value is finite, otherwise an
 * RGBA PNG where NaN cells are transparent.
 */
export function matrixToPng(m: Matrix, opts: RasterOptions): Raster {
  const rows = Math.min(m.rows, opts.rows ?? m.rows);
  const cols = Math.min(m.cols, opts.cols ?? m.cols);
  if (m.data.length < m.rows * m.cols)
    throw new Error(`matrix data has ${m.data.length} values, expected ${m.rows * m.cols}`);
  if (rows < 1 || cols < 1) throw new Error('cannot draw an empty matrix');
  const cm = opts.colormap ?? colormap('viridis');
  const [lo, hi] = opts.domain;
  const transpose = opts.transpose ?? false;
  const width = transpose ? rows : cols;
  const height = transpose ? cols : rows;
  const index = new Int16Array(width * height);
  let finite = true;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = lutIndex(m.data[r * m.cols + c]!, lo, hi);
      if (i < 0) finite = false;
      index[transpose ? c * width + r : r * width + c] = i;
    }
  }
  if (finite) {
    const palette: number[][] = [];
    for (let i = 0; i < 256; i++) palette.push([cm.lut[i * 3]!, cm.lut[i * 3 + 1]!, cm.lut[i * 3 + 2]!]);
    const png = encode({ width, height, data: Uint8Array.from(index), depth: 8, channels: 1, palette });
    return { width, height, png };
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < index.length; p++) {
    const i = index[p]!;
    if (i < 0) continue;
    rgba[p * 4] = cm.lut[i * 3]!;
    rgba[p * 4 + 1] = cm.lut[i * 3 + 1]!;
    rgba[p * 4 + 2] = cm.lut[i * 3 + 2]!;
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, png: encode({ width, height, data: rgba, depth: 8, channels: 4 }) };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of the bytes (no Buffer or btoa, so it runs anywhere). */
export function base64(bytes: Uint8Array): string {
  const out: string[] = [];
  const chunk: string[] = [];
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk.push(B64[v >> 18]! + B64[(v >> 12) & 63]! + B64[(v >> 6) & 63]! + B64[v & 63]!);
    if (chunk.length === 4096) out.push(chunk.splice(0).join(''));
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | ((i + 1 < n ? bytes[i + 1]! : 0) << 8);
    chunk.push(B64[v >> 18]! + B64[(v >> 12) & 63]! + (i + 1 < n ? B64[(v >> 6) & 63]! : '=') + '=');
  }
  out.push(chunk.join(''));
  return out.join('');
}

/** The PNG as a `data:image/png;base64,...` URL. */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${base64(png)}`;
}
