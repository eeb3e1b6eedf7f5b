import type { ReportBar } from './reportModel';
import { escapeHtml } from './escapeHtml';

/*
 * A horizontal bar chart as inline SVG (HTML5 needs no xmlns, so the document names no URL at all): no script, no font or image from anywhere, colours as
 * presentation attributes (a report's policy allows no style attributes in the app's preview).
 * Labels are cut to fit; the full label stays in the <title> a reader's tooltip shows.
 */

const WIDTH = 640;
const LABEL_WIDTH = 200;
const VALUE_WIDTH = 56;
const ROW_HEIGHT = 22;
const BAR_HEIGHT = 14;
const MAX_LABEL_CHARS = 18;

function clip(label: string): string {
  const chars = [...label];
  return chars.length <= MAX_LABEL_CHARS ? label : `${chars.slice(0, MAX_LABEL_CHARS - 1).join('')}…`;
}

export function barChartSvg(caption: string, bars: readonly ReportBar[]): string {
  if (bars.length === 0) return '';
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = bars.length * ROW_HEIGHT + 8;
  const rows = bars.map((bar, index) => {
    const y = 4 + index * ROW_HEIGHT;
    const width = Math.max(bar.value > 0 ? 2 : 0, Math.round((bar.value / max) * span));
    return (
      `<g><title>${escapeHtml(`${bar.label}: ${bar.value}`)}</title>` +
      `<text x="${LABEL_WIDTH - 8}" y="${y + BAR_HEIGHT - 3}" text-anchor="end" font-size="11" fill="#1f2933">${escapeHtml(clip(bar.label))}</text>` +
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width}" height="${BAR_HEIGHT}" rx="2" fill="#2f6f9f"/>` +
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + BAR_HEIGHT - 3}" font-size="11" fill="#1f2933">${bar.value}</text></g>`
    );
  });
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(caption)}">` +
    rows.join('') +
    '</svg>'
  );
}
