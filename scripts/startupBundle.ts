import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, mergeConfig, type Plugin } from 'vite';
import rendererConfig from '../renderer/vite.config';

/*
 * `npx tsx scripts/startupBundle.ts`: what the renderer's index.html makes the browser load before
 * any code runs (its entry chunk and every chunk that chunk imports statically, which the build
 * modulepreloads), gzip -9, by package or source folder. Lazy chunks (import()) are left out: they
 * load when a screen asks. Built into a temporary folder, so renderer/dist is left alone.
 * The bench (`npm run bench -- renderer`) measures what the page really fetched before its first
 * rows; this says which modules those bytes are.
 */

interface ChunkFacts {
  readonly isEntry: boolean;
  readonly imports: readonly string[];
  readonly code: string;
  readonly moduleBytes: ReadonlyMap<string, number>;
}

const root = join(import.meta.dirname, '..');
const chunks = new Map<string, ChunkFacts>();
const record: Plugin = {
  name: 'fieldwise-startup-bundle',
  generateBundle(_options, bundle) {
    for (const [fileName, output] of Object.entries(bundle)) {
      if (output.type !== 'chunk') continue;
      const moduleBytes = new Map(Object.entries(output.modules).map(([id, module]) => [id, module.renderedLength]));
      chunks.set(fileName, { isEntry: output.isEntry, imports: output.imports, code: output.code, moduleBytes });
    }
  },
};

/** node_modules/<package>, else the source folder two levels down (renderer/library, shared/records). */
function groupOf(id: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id);
  if (inPackage) return inPackage[1]!;
  return relative(root, id).split('/').slice(0, 2).join('/');
}

const outDir = mkdtempSync(join(tmpdir(), 'fieldwise-startup-'));
try {
  await build(mergeConfig(rendererConfig, { plugins: [record], logLevel: 'warn', build: { outDir, emptyOutDir: true } }));
  const entry = [...chunks].find(([fileName, chunk]) => chunk.isEntry && !/worker/i.test(fileName))?.[0];
  if (!entry) throw new Error('no entry chunk in the build');
  const startup = new Set<string>();
  const visit = (fileName: string) => {
    if (startup.has(fileName) || !chunks.has(fileName)) return;
    startup.add(fileName);
    chunks.get(fileName)!.imports.forEach(visit);
  };
  visit(entry);
  // A chunk's gzip size shared among its modules by their rendered length: an estimate per module,
  // exact per chunk and in total.
  const byGroup = new Map<string, number>();
  let total = 0;
  for (const fileName of startup) {
    const chunk = chunks.get(fileName)!;
    const gzip = gzipSync(chunk.code, { level: 9 }).length;
    total += gzip;
    const rendered = [...chunk.moduleBytes.values()].reduce((sum, bytes) => sum + bytes, 0) || 1;
    for (const [id, bytes] of chunk.moduleBytes) byGroup.set(groupOf(id), (byGroup.get(groupOf(id)) ?? 0) + (bytes / rendered) * gzip);
  }
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`index.html loads ${startup.size} chunks, ${kb(total)} gzip -9 (entry ${entry})`);
  for (const [group, bytes] of [...byGroup].sort((a, b) => b[1] - a[1])) if (bytes >= 512) console.log(`${kb(bytes).padStart(9)}  ${group}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
