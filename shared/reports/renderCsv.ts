// The browser build bundles its own Buffer shim; the plain `csv-stringify/sync` needs Node's Buffer.
import { stringify } from 'csv-stringify/browser/esm/sync';
import type { ReportTable } from './reportModel';

/*
 * A report's main rows as CSV: RFC 4180 (CRLF line ends, quotes doubled, fields quoted when they
 * hold a comma, quote or line break), UTF-8 with a byte-order mark so spreadsheet programs read
 * Chinese correctly. Written with csv-stringify's synchronous API, which needs no Node stream,
 * from its browser build, which needs no Node global either.
 */

const BOM = '\uFEFF';

/** What a spreadsheet (Excel, LibreOffice, Google Sheets) runs as a formula when a cell starts with it. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)` in an entry's title, say) is
 * written with a leading apostrophe, which spreadsheets show as text and hide; numbers are numbers.
 */
export function neutralizeCsvCell(cell: string | number): string | number {
  return typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell;
}

function stringifyRows(rows: readonly (readonly (string | number)[])[]): string {
  return stringify(
    rows.map((row) => row.map(neutralizeCsvCell)),
    { record_delimiter: 'windows' },
  );
}

export function renderReportCsv(table: ReportTable): string {
  return BOM + stringifyRows([table.columns, ...table.rows]);
}

/**
 * The same CSV, built a chunk of rows at a time with `pause()` between chunks, so a screen stays
 * responsive while 10,000 rows are written; `onProgress` gets the share done (0..1).
 */
export async function renderReportCsvInChunks(
  table: ReportTable,
  options: { readonly pause: () => Promise<void>; readonly onProgress?: (done: number) => void; readonly chunkRows?: number },
): Promise<string> {
  const chunkRows = options.chunkRows ?? 200;
  const parts = [BOM + stringifyRows([table.columns])];
  for (let start = 0; start < table.rows.length; start += chunkRows) {
    parts.push(stringifyRows(table.rows.slice(start, start + chunkRows)));
    options.onProgress?.(Math.min(1, (start + chunkRows) / table.rows.length));
    await options.pause();
  }
  options.onProgress?.(1);
  return parts.join('');
}
