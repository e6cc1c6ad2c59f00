// Figure: the grid heat map of a two-variable sweep: a measure (by default the final mono / N) over
// the two swept variables, one rect per grid point, ordinal axes labelled with the values.
import type { TopLevelSpec } from 'vega-lite';
import { MARK_DASH, NUMBER_LABEL_EXPR, markNotes, orderedValues, topLevel, type Spec } from './common.js';
import { MEASURE_LABELS, fieldLabel } from './labels.js';
import type { FigureOptions, RunMark, SweepValue, SweptField } from './types.js';

export interface GridCell {
  x: SweepValue;
  y: SweepValue;
  /** The measure at this grid point; null for a missing or diverged run (drawn grey). */
  value: number | null;
  /** A cell whose runs never learned gets a dotted outline. */
  mark?: RunMark;
}

export interface GridHeatmapInput extends FigureOptions {
  /** The variable across (columns) and the one up (rows). */
  x: SweptField;
  y: SweptField;
  cells: readonly GridCell[];
  /** The legend title (default "# mono neurons / # features"). */
  measure?: string;
  /** Colour domain (default 0 to the largest value, at least 1). */
  domain?: [number, number];
  /** Print each cell's value in it (default true). */
  showValues?: boolean;
  /** Cell size in pixels (default: fits the grid in about 480 x 360). */
  cellWidth?: number;
  cellHeight?: number;
}

/** Final mono / N (or another measure) over a two-variable sweep. */
export function gridHeatmap(input: GridHeatmapInput): TopLevelSpec {
  if (input.cells.length === 0) throw new Error('gridHeatmap needs at least one cell');
  const xs = orderedValues(input.cells.map((c) => c.x));
  const ys = orderedValues(input.cells.map((c) => c.y));
  const xNumeric = xs.every((v) => typeof v === 'number');
  const yNumeric = ys.every((v) => typeof v === 'number');
  const finite = input.cells.map((c) => c.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const domain = input.domain ?? [0, Math.max(1, ...finite)];
  const measure = input.measure ?? MEASURE_LABELS.monoPerFeature;
  const rows = input.cells.map((c) => ({
    x: xNumeric ? c.x : String(c.x),
    y: yNumeric ? c.y : String(c.y),
    value: c.value !== null && Number.isFinite(c.value) ? c.value : null,
    mark: c.mark ?? 'ok',
  }));
  const cellWidth = input.cellWidth ?? Math.max(28, Math.min(64, Math.floor(480 / xs.length)));
  const cellHeight = input.cellHeight ?? Math.max(20, Math.min(48, Math.floor(360 / ys.length)));
  const axisOf = (field: SweptField, numeric: boolean): Spec => ({
    title: field.label ?? fieldLabel(field.field),
    labelAngle: 0,
    grid: false,
    ...(numeric ? { labelExpr: NUMBER_LABEL_EXPR } : {}),
  });
  const x = {
    field: 'x',
    type: 'ordinal',
    sort: xNumeric ? 'ascending' : xs.map(String),
    axis: axisOf(input.x, xNumeric),
  };
  // Rows ascend upwards, as on a numeric y axis.
  const y = {
    field: 'y',
    type: 'ordinal',
    sort: yNumeric ? 'descending' : ys.map(String),
    axis: axisOf(input.y, yNumeric),
  };
  const mid = (domain[0] + domain[1]) / 2;
  const layers: Spec[] = [
    {
      transform: [{ filter: 'datum.value === null' }],
      mark: { type: 'rect', color: '#d9d9d9' },
      encoding: { x, y },
    },
    {
      transform: [{ filter: 'datum.value !== null' }],
      mark: { type: 'rect' },
      encoding: {
        x,
        y,
        color: {
          field: 'value',
          type: 'quantitative',
          scale: { scheme: 'viridis', domain, nice: false, zero: false },
          legend: {
            title: measure,
            labelExpr: NUMBER_LABEL_EXPR,
            gradientLength: Math.max(80, Math.min(ys.length * cellHeight, 240)),
          },
        },
        tooltip: [
          { field: 'x', type: xNumeric ? 'quantitative' : 'nominal', title: axisOf(input.x, xNumeric).title },
          { field: 'y', type: yNumeric ? 'quantitative' : 'nominal', title: axisOf(input.y, yNumeric).title },
          { field: 'value', type: 'quantitative', title: measure, format: '.3~f' },
        ],
      },
    },
  ];
  if (input.cells.some((c) => c.mark === 'never-learned')) {
    layers.push({
      transform: [{ filter: "datum.mark === 'never-learned'" }],
      mark: {
        type: 'rect',
        fill: null,
        stroke: '#fff',
        strokeWidth: 2,
        strokeDash: MARK_DASH['never-learned'],
        strokeOffset: 2,
      },
      encoding: { x, y },
    });
  }
  if (input.showValues ?? true) {
    layers.push({
      mark: { type: 'text', fontSize: Math.min(11, Math.floor(cellWidth / 3.2)), baseline: 'middle' },
      encoding: {
        x,
        y,
        text: {
          condition: { test: 'datum.value === null', value: '–' },
          field: 'value',
          type: 'quantitative',
          format: '.2f',
        },
        color: {
          condition: [
            { test: 'datum.value === null', value: '#555' },
            { test: `datum.value > ${mid}`, value: 'black' },
          ],
          value: 'white',
        },
      },
    });
  }
  const title = `Final ${measure}: ${axisOf(input.x, xNumeric).title} × ${axisOf(input.y, yNumeric).title}`;
  const notes = markNotes(
    input.cells.map((c) => c.mark),
    { 'never-learned': 'dotted outline' },
  );
  return topLevel(
    input,
    title,
    {
      width: { step: cellWidth },
      height: { step: cellHeight },
      data: { values: rows },
      layer: layers,
    },
    notes,
  );
}
