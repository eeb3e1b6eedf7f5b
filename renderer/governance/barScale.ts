/*
 * Scaling for the results charts (inline SVG, no chart library): bar lengths as shares of the
 * chart's scale, and a round scale maximum so charts of similar counts look alike.
 */

/** The smallest "nice" number (1, 2 or 5 times a power of ten) at or above `value`; 1 for nothing. */
export function niceMax(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value - 1e-9) return step * power;
  return 10 * power;
}

export interface Bar {
  readonly id: string;
  readonly value: number;
  /** In [0, 1]: the bar's length as a share of the chart's width. */
  readonly share: number;
}

/**
 * Bars for values on a scale: `max` given (a score chart's 5) or the nice maximum of the values.
 * Negative or non-finite values draw as empty bars.
 */
export function barsOf(values: readonly { readonly id: string; readonly value: number }[], max?: number): { bars: Bar[]; scaleMax: number } {
  const clean = values.map(({ id, value }) => ({ id, value: Number.isFinite(value) && value > 0 ? value : 0 }));
  const scaleMax = max !== undefined && max > 0 ? max : niceMax(Math.max(0, ...clean.map((v) => v.value)));
  return { bars: clean.map(({ id, value }) => ({ id, value, share: Math.min(1, value / scaleMax) })), scaleMax };
}
