// Shared checks for the figure tests: render a spec to SVG and PNG and look at the results.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decode } from 'fast-png';
import type { TopLevelSpec } from 'vega-lite';
import { expect } from 'vitest';
import { pngSize, renderPng, renderSvg, svgSize } from '../../src/figures/render.js';

export const SCALE = 'laptop (batch 2^10, 2^13 steps)';

export interface Rendered {
  svg: string;
  png: Buffer;
  width: number;
  height: number;
  warnings: string[];
}

/** Renders the spec to SVG and PNG (scale 2) and checks what every figure must satisfy. */
export async function renderChecked(spec: TopLevelSpec, texts: string[] = []): Promise<Rendered> {
  // The spec is plain JSON: the browser receives it as it is.
  assertPlainJson(spec);
  const warnings: string[] = [];
  const svg = await renderSvg(spec, { onWarning: (m) => warnings.push(m) });
  expect(warnings).toEqual([]);
  expect(XMLValidator.validate(svg)).toBe(true);
  const root = new XMLParser({ ignoreAttributes: false }).parse(svg).svg;
  const { width, height } = svgSize(svg);
  expect(Number(root['@_width'])).toBe(width);
  expect(Number(root['@_height'])).toBe(height);
  expect(width).toBeGreaterThan(100);
  expect(height).toBeGreaterThan(100);
  for (const t of [SCALE, ...texts]) expect(svg, `SVG text ${t}`).toContain(escapeXml(t));
  const png = renderPng(svg, { scale: 2 });
  expect(pngSize(png)).toEqual({ width: Math.round(width * 2), height: Math.round(height * 2) });
  expect(nonBackground(png)).toBeGreaterThan(0.02);
  return { svg, png, width, height, warnings };
}

/** Only JSON values: no typed arrays, functions, undefined or non-finite numbers. */
export function assertPlainJson(v: unknown, where = 'spec'): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    expect(Number.isFinite(v), where).toBe(true);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => assertPlainJson(x, `${where}[${i}]`));
    return;
  }
  expect(typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype, `${where} is a plain object`).toBe(
    true,
  );
  for (const [k, x] of Object.entries(v as object)) assertPlainJson(x, `${where}.${k}`);
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The fraction of pixels that differ from the top-left (background) pixel. */
export function nonBackground(png: Uint8Array): number {
  const img = decode(png);
  const ch = img.channels;
  const d = img.data;
  let differ = 0;
  const n = img.width * img.height;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < Math.min(ch, 3); c++) {
      if (d[p * ch + c] !== d[c]) {
        differ++;
        break;
      }
    }
  }
  return differ / n;
}

/** Every string value in a spec, found anywhere in the tree. */
export function findAll(
  spec: unknown,
  pred: (v: Record<string, unknown>) => boolean,
  out: Record<string, unknown>[] = [],
): Record<string, unknown>[] {
  if (Array.isArray(spec)) for (const s of spec) findAll(s, pred, out);
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    if (pred(o)) out.push(o);
    for (const v of Object.values(o)) findAll(v, pred, out);
  }
  return out;
}

/** The data URLs of all image marks' data in the spec. */
export function embeddedPngs(spec: unknown): Uint8Array[] {
  return findAll(spec, (o) => typeof o.url === 'string' && (o.url as string).startsWith('data:image/png;base64,')).map(
    (o) => Uint8Array.from(Buffer.from((o.url as string).slice('data:image/png;base64,'.length), 'base64')),
  );
}
