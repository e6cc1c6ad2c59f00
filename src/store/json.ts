// JSON has no NaN or Infinity: JSON.stringify writes them as null, so a diverged run's losses and
// metrics are stored as null and read back as NaN.

export const nullToNaN = (value: unknown): unknown => (value === null ? NaN : value);

/** A flat JSON object with its null fields turned into NaN. */
export const nullFieldsToNaN = (object: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(object).map(([key, value]) => [key, nullToNaN(value)]));
