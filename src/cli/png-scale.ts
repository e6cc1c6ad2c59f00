// --png-scale, shared by the commands that write figures.
import { Option } from 'commander';
import { UsageError } from './errors.js';

export const pngScaleOption = (): Option =>
  new Option('--png-scale <x>', 'PNG pixels per SVG unit, 0.5 to 8 (1 for small PNGs to embed in documents)').default(
    '2',
  );

export function parsePngScale(text: string): number {
  const scale = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || scale < 0.5 || scale > 8)
    throw new UsageError(`--png-scale: ${JSON.stringify(text)} is not allowed: must be a number from 0.5 to 8`);
  return scale;
}
