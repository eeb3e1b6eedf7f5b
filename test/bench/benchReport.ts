import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';

/*
 * Shared by the benchmarks: timing, percentiles, markdown tables, and the section of
 * docs/BENCHMARKS.md each benchmark owns. A benchmark replaces only its own `## ` section, so
 * `store`, `sync` and later ones can keep their latest tables side by side in one file.
 */

export const benchmarksFile = new URL('../../docs/BENCHMARKS.md', import.meta.url);

export async function timeMs(run: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Nearest-rank percentile of samples in ms. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function ratio(ours: number, baseline: number): string {
  return baseline > 0 ? `${(ours / baseline).toFixed(2)}x` : 'n/a';
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [
    `| ${header.map(escape).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ];
  return lines.join('\n');
}

export function machineLine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  return `${cores.length} cores (${model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}`;
}

const FILE_HEADING = '# Benchmarks';
const FILE_INTRO = [
  FILE_HEADING,
  '',
  'Benchmarks are not tests (DESIGN.md section 9): each one measures our code and a bare baseline side',
  'by side in one run and reports ratios, which travel between machines better than milliseconds.',
  'Each section below holds the latest table of one benchmark and the command that made it; a run',
  'replaces its own section and leaves the others alone. `npm run bench` lists the benchmarks.',
].join('\n');

/** Replaces (or appends) the `## ` section whose heading starts with `heading`. */
export async function writeSection(heading: string, body: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(benchmarksFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = `${FILE_INTRO}\n`;
  }
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const nextOffset = lines.slice(start + 1).findIndex((line) => line.startsWith('## '));
    const end = nextOffset === -1 ? lines.length : start + 1 + nextOffset;
    const after = lines.slice(end).join('\n').trim();
    text = [lines.slice(0, start).join('\n').trimEnd(), '', section.trimEnd(), ...(after ? ['', after] : [])].join('\n') + '\n';
  }
  await writeFile(benchmarksFile, text);
}
