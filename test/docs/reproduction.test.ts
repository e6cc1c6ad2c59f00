// The figures committed for REPRODUCTION.md: the heat maps show one pixel per neuron, as drawn by
// `report --png-scale 1` (a reviewer found 3.4 neurons a pixel in an earlier version, where the
// diagonal, the point of the figure, disappeared at page width).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.join(ROOT, 'docs/reproduction');
const batches = fs.readdirSync(DIR).filter((b) => fs.existsSync(path.join(DIR, b, 'sfa-heatmaps.png')));

/**
 * The width of the heat maps in a figure: per row, the longest run of pixels that are not the
 * white background; the most common such width over the rows (rows through a map are most rows;
 * rows through a tick or an axis line are a few pixels wider).
 */
function mapWidth(file: string): number {
  const png = decode(fs.readFileSync(file));
  const c = png.channels;
  const rows = new Map<number, number>();
  for (let y = 0; y < png.height; y++) {
    let run = 0;
    let widest = 0;
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * c;
      const white = png.data[i] === 255 && png.data[i + 1] === 255 && png.data[i + 2] === 255;
      run = white ? 0 : run + 1;
      widest = Math.max(widest, run);
    }
    if (widest >= 100) rows.set(widest, (rows.get(widest) ?? 0) + 1);
  }
  return [...rows.entries()].reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0])[0];
}

describe('the committed heat maps', () => {
  it('exist for the batches REPRODUCTION.md shows', () => {
    expect(batches.sort()).toEqual(expect.arrayContaining(['B3', 'K1', 'LR1', 'LR3']));
  });

  it.each(batches)('%s: a heat map of 1024 neurons is 1024 pixels wide (and its frame)', (batch) => {
    // Every batch here has panels of k >= 1024 neurons (cropped to the paper's 1024).
    expect([1024, 1025, 1026]).toContain(mapWidth(path.join(DIR, batch, 'sfa-heatmaps.png')));
  });
});
