// Proves the import-cycle check of eslint.config.js (import-x/no-cycle): a loop of runtime imports
// is rejected however long it is, and a loop closed by a type-only import, which TypeScript
// erases, is accepted. The fixtures in test/fixtures/cycles/ are real files, because the rule
// follows each import to the file on disk.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, test } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE_ROOT = join(REPO_ROOT, 'test/fixtures/cycles');
const CYCLE_RULE = 'import-x/no-cycle';

function describeErrors(errors: Linter.LintMessage[]): string {
  return errors.map((error) => `${error.line}:${error.column} ${error.ruleId ?? 'fatal'} ${error.message}`).join('\n');
}

describe('import cycles', () => {
  let eslint: ESLint;

  async function lintFixture(path: string): Promise<Linter.LintMessage[]> {
    const filePath = join(FIXTURE_ROOT, path);
    const results = await eslint.lintText(readFileSync(filePath, 'utf8'), { filePath });
    return results.flatMap((result) => result.messages.filter((message) => message.severity === 2));
  }

  beforeAll(() => {
    // The project ignores the fixture folder; here it is the point.
    eslint = new ESLint({ cwd: REPO_ROOT, ignore: false });
  });

  test.each(['first.ts', 'second.ts', 'third.ts'])('rejects every module of a three-module runtime cycle (%s)', async (file) => {
    const errors = await lintFixture(`runtime/${file}`);
    expect(
      errors.some((error) => error.ruleId === CYCLE_RULE && error.message.startsWith('Dependency cycle')),
      describeErrors(errors),
    ).toBe(true);
  });

  test.each(['typeOnly', 'inlineTypeSpecifiers'])('accepts a cycle closed by a type-only import (%s)', async (folder) => {
    for (const file of ['ballotBox.ts', 'ballotCount.ts']) {
      const errors = await lintFixture(`${folder}/${file}`);
      expect(errors, `${folder}/${file}\n${describeErrors(errors)}`).toEqual([]);
    }
  });
});
