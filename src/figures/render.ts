// Static rendering of figure specs in Node: Vega-Lite -> Vega -> SVG (headless, no canvas), then
// SVG -> PNG with resvg. Node only: the browser draws the same specs with vega-embed and must
// never import this module.
import fs from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { parse, View, type Spec as VegaSpec } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../store/atomic.js';
import { vegaTextWidth } from './text-metrics.js';

// Vega has no canvas here: measure text as resvg will draw it (DejaVu Sans), not at 0.8 em a character.
(vega as unknown as { textMetrics: { width: typeof vegaTextWidth } }).textMetrics.width = vegaTextWidth;

/** Receives Vega-Lite's compile warnings (the default drops them). */
export type WarningSink = (message: string) => void;

export interface RenderSvgOptions {
  /** Called with each Vega-Lite / Vega warning. */
  onWarning?: WarningSink;
}

/** Compiles the Vega-Lite spec and renders it headless to an SVG string. */
export async function renderSvg(spec: TopLevelSpec, opts: RenderSvgOptions = {}): Promise<string> {
  const warn = opts.onWarning ?? (() => {});
  const logger = {
    level(): number {
      return 0;
    },
    warn(...args: unknown[]) {
      warn(args.map(String).join(' '));
      return this;
    },
    info() {
      return this;
    },
    debug() {
      return this;
    },
    error(...args: unknown[]) {
      throw new Error(args.map(String).join(' '));
    },
  };
  const vg = compile(spec, { logger: logger as never }).spec;
  const view = new View(parse(vg as VegaSpec), { renderer: 'none' });
  view.logger(logger as never);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface RenderPngOptions {
  /** Pixels per SVG unit (default 2). */
  scale?: number;
}

/** Rasterises an SVG with resvg (system fonts; sans-serif is DejaVu Sans). */
export function renderPng(svg: string, opts: RenderPngOptions = {}): Buffer {
  const scale = opts.scale ?? 2;
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: true,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
      serifFamily: 'DejaVu Serif',
      monospaceFamily: 'DejaVu Sans Mono',
    },
    imageRendering: 0,
    shapeRendering: 2,
    textRendering: 1,
  });
  return resvg.render().asPng();
}

/** The width and height of an SVG's root element, in SVG units. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  return { width, height };
}

/** The width and height in a PNG's IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b)) throw new Error('not a PNG');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

export interface WrittenFigure {
  svg: string;
  png: string;
  /** The PNG's size in pixels. */
  width: number;
  height: number;
}

/**
 * Renders the spec and writes `<dir>/<name>.svg` and `<dir>/<name>.png`, each atomically
 * (temp file + rename); returns their paths and the PNG's pixel size.
 */
export async function writeFigure(
  dir: string,
  name: string,
  spec: TopLevelSpec,
  opts: RenderPngOptions & RenderSvgOptions = {},
): Promise<WrittenFigure> {
  if (!/^[\w.-]+$/.test(name))
    throw new Error(`bad figure name ${JSON.stringify(name)}: use letters, digits, '.', '-', '_'`);
  const svg = await renderSvg(spec, opts);
  const png = renderPng(svg, opts);
  fs.mkdirSync(dir, { recursive: true });
  const svgPath = path.join(dir, `${name}.svg`);
  const pngPath = path.join(dir, `${name}.png`);
  writeFileAtomic(svgPath, svg);
  writeFileAtomic(pngPath, png);
  return { svg: svgPath, png: pngPath, ...pngSize(png) };
}
