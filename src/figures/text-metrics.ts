// Text widths for headless rendering. Without a canvas, Vega estimates every character as 0.8 em
// wide, which overestimates most text by a third and leaves layouts loose or misaligned (a long
// rotated axis title lifts its panel's title). The static renderer draws sans-serif text with
// DejaVu Sans, so it measures with DejaVu Sans's advance widths instead. Node-only use (render.ts):
// in a browser, Vega measures with a canvas.

// Advance widths in 1/1000 em of ASCII 32..126, read from DejaVuSans.ttf and DejaVuSans-Bold.ttf.
const REGULAR = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636,
  636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863,
  748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635,
  615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636,
  337, 636, 838,
];
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696,
  696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995,
  837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716,
  678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712,
  365, 712, 838,
];
const OTHER: Record<string, [number, number]> = {
  ε: [541, 557],
  '×': [838, 838],
  '–': [500, 500],
  '—': [1000, 1000],
  '…': [1000, 1000],
  '≥': [838, 838],
  '≤': [838, 838],
  '·': [318, 380],
  '−': [838, 838],
};

function isBold(weight: unknown): boolean {
  if (weight == null) return false;
  if (typeof weight === 'number') return weight >= 600;
  return weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
}

/** The width in pixels of `text` in DejaVu Sans (Bold when `bold`) at `fontSize` pixels. */
export function dejavuWidth(text: string, fontSize: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 32 && c <= 126) w += table[c - 32]!;
    else w += OTHER[ch]?.[bold ? 1 : 0] ?? (bold ? 700 : 640);
  }
  return (w / 1000) * fontSize;
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
}

/** A Vega `textMetrics.width` replacement: (item, text) => pixels. */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  const s = text == null ? '' : String(text).trim();
  return size <= 0 || !s ? 0 : dejavuWidth(s, size, isBold(item.fontWeight));
}
