import { useId } from 'react';
import { barsOf } from './barScale';

export interface ChartRow {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  /** Shown after the bar instead of the bare value (e.g. "3 (60%)"). */
  readonly valueText?: string;
  readonly tone?: 'default' | 'winner' | 'eliminated' | 'block';
}

const ROW_HEIGHT = 28;
const LABEL_WIDTH = 120;
const BAR_WIDTH = 200;
const VALUE_WIDTH = 60;
const WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;

/**
 * A horizontal bar chart in inline SVG: no chart library, nothing injected, fine under the CSP.
 * `max` fixes the scale (a score chart's 5); otherwise a round number at or above the largest value.
 * The figures are in the SVG's text, and a title and description name the chart for screen readers.
 */
export function BarChart({ title, rows, max, testId }: { title: string; rows: readonly ChartRow[]; max?: number; testId?: string }) {
  const titleId = useId();
  const { bars } = barsOf(rows, max);
  const height = Math.max(1, rows.length) * ROW_HEIGHT;
  return (
    <svg className="fw-chart" viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-labelledby={titleId} data-testid={testId}>
      <title id={titleId}>{title}</title>
      {rows.map((row, index) => {
        const y = index * ROW_HEIGHT;
        const bar = bars[index]!;
        return (
          <g key={row.id} data-testid="chart-row" data-option-id={row.id} data-value={row.value}>
            <title>{`${row.label}: ${row.valueText ?? String(row.value)}`}</title>
            <text x={LABEL_WIDTH - 6} y={y + ROW_HEIGHT / 2} className="fw-chart-label" textAnchor="end" dominantBaseline="middle">
              {row.label.length > 14 ? `${row.label.slice(0, 13)}…` : row.label}
            </text>
            <rect x={LABEL_WIDTH} y={y + 5} width={BAR_WIDTH} height={ROW_HEIGHT - 10} className="fw-chart-track" rx={3} />
            <rect x={LABEL_WIDTH} y={y + 5} width={Math.max(0, bar.share * BAR_WIDTH)} height={ROW_HEIGHT - 10} className={`fw-chart-bar fw-chart-bar-${row.tone ?? 'default'}`} rx={3} />
            <text x={LABEL_WIDTH + BAR_WIDTH + 8} y={y + ROW_HEIGHT / 2} className="fw-chart-value" dominantBaseline="middle">
              {row.valueText ?? String(row.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
