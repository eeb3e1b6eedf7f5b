// Proves the import boundaries of DESIGN.md §2 as eslint.config.js enforces them. The fixtures in
// test/fixtures/boundaries/ copy the layout (shared/, renderer/, server/, electron/) so that every
// imported file really exists: a boundary rule only knows which layer a relative import points
// into once the import resolves.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, test } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG_FILE = join(REPO_ROOT, 'eslint.config.js');
const FIXTURE_ROOT = join(REPO_ROOT, 'test/fixtures/boundaries');
const BOUNDARY_RULE = 'boundaries/dependencies';
const GLOBALS_RULE = 'no-restricted-globals';

function errorsOf(results: ESLint.LintResult[]): Linter.LintMessage[] {
  return results.flatMap((result) => result.messages.filter((message) => message.severity === 2));
}

function describeErrors(errors: Linter.LintMessage[]): string {
  return errors.map((error) => `${error.line}:${error.column} ${error.ruleId ?? 'fatal'} ${error.message}`).join('\n');
}

describe('import boundaries in the fixture layout', () => {
  let eslint: ESLint;

  // Lints a fixture as if test/fixtures/boundaries/ were the repository root: same config file,
  // only the root it matches `shared/**` etc. against is moved.
  async function lintFixture(path: string): Promise<Linter.LintMessage[]> {
    const filePath = join(FIXTURE_ROOT, path);
    return errorsOf(await eslint.lintText(readFileSync(filePath, 'utf8'), { filePath }));
  }

  // `reason` is part of the expected message, so a rejection for another cause (say, an import
  // that failed to resolve) does not pass for the one the test names.
  async function expectRejected(path: string, ruleId: string, reason: string): Promise<void> {
    const errors = await lintFixture(path);
    expect(
      errors.some((error) => error.ruleId === ruleId && error.message.includes(reason)),
      describeErrors(errors),
    ).toBe(true);
  }

  async function expectAccepted(path: string): Promise<void> {
    const errors = await lintFixture(path);
    expect(errors, describeErrors(errors)).toEqual([]);
  }

  beforeAll(() => {
    eslint = new ESLint({
      cwd: FIXTURE_ROOT,
      overrideConfigFile: CONFIG_FILE,
      overrideConfig: { settings: { 'boundaries/root-path': FIXTURE_ROOT } },
      // The project ignores this folder; here it is the point.
      ignore: false,
    });
  });

  test('rejects a node: built-in imported from shared/', async () => {
    await expectRejected('shared/records/importsNodeFs.ts', BOUNDARY_RULE, 'origin "core"');
  });

  test('rejects a Node built-in imported by its bare name from shared/', async () => {
    await expectRejected('shared/records/importsBareFs.ts', BOUNDARY_RULE, 'origin "core"');
  });

  test('rejects electron imported from shared/', async () => {
    await expectRejected('shared/records/importsElectron.ts', BOUNDARY_RULE, 'must not import electron or react');
  });

  test('rejects react imported from shared/', async () => {
    await expectRejected('shared/records/importsReact.ts', BOUNDARY_RULE, 'must not import electron or react');
  });

  test('rejects a renderer/ file imported from shared/', async () => {
    await expectRejected('shared/records/importsRenderer.ts', BOUNDARY_RULE, 'to elements of type "renderer"');
  });

  test('rejects a renderer/ file re-exported from shared/', async () => {
    await expectRejected('shared/records/reexportsRenderer.ts', BOUNDARY_RULE, 'to elements of type "renderer"');
  });

  test('rejects the window global in shared/', async () => {
    await expectRejected('shared/records/usesWindow.ts', GLOBALS_RULE, "'window'");
  });

  test('rejects the document global in shared/', async () => {
    await expectRejected('shared/records/usesDocument.ts', GLOBALS_RULE, "'document'");
  });

  test('accepts shared/ importing another shared/ file and a library', async () => {
    await expectAccepted('shared/store/importsSharedAndLibrary.ts');
  });

  // The layering inside shared/ (SHARED_LAYERS in eslint.config.js).
  const LAYERING_REASON = 'which is not below it in the layering';

  test('rejects a shared/store/ file importing shared/sync/', async () => {
    await expectRejected('shared/store/importsSync.ts', BOUNDARY_RULE, `shared/store/ may import only shared/records/, shared/rules/, shared/blobs/ (and libraries): not shared/sync/, ${LAYERING_REASON}`);
  });

  test('rejects a shared/governance/ file importing shared/sync/', async () => {
    await expectRejected('shared/governance/importsSync.ts', BOUNDARY_RULE, `not shared/sync/, ${LAYERING_REASON}`);
  });

  test('rejects a type-only import of shared/sync/ from shared/governance/', async () => {
    await expectRejected('shared/governance/importsSyncType.ts', BOUNDARY_RULE, `not shared/sync/, ${LAYERING_REASON}`);
  });

  test('rejects a shared/records/ file importing shared/store/', async () => {
    await expectRejected('shared/records/importsStore.ts', BOUNDARY_RULE, `shared/records/ may import only shared/blobs/ (and libraries): not shared/store/, ${LAYERING_REASON}`);
  });

  test('rejects a shared/ folder that has no place in the layering', async () => {
    await expectRejected('shared/unplaced/importsRecords.ts', BOUNDARY_RULE, 'shared/unplaced/ has no place in the layering of shared/');
  });

  test('rejects importing a shared/ folder that has no place in the layering', async () => {
    await expectRejected('shared/records/importsUnplaced.ts', BOUNDARY_RULE, 'shared/unplaced/ has no place in the layering of shared/');
  });

  test('rejects a file directly in shared/, outside every layer', async () => {
    await expectRejected('shared/looseModule.ts', BOUNDARY_RULE, 'A file directly in shared/ has no layer');
  });

  test('accepts shared/governance/ importing shared/records/', async () => {
    await expectAccepted('shared/governance/importsRecords.ts');
  });

  test('accepts shared/sync/ importing the client, governance, records and the store below it', async () => {
    await expectAccepted('shared/sync/importsLowerLayers.ts');
  });

  test('rejects a server/ file imported from renderer/', async () => {
    await expectRejected('renderer/importsServer.ts', BOUNDARY_RULE, 'to elements of type "server"');
  });

  test('rejects a type-only import of server/ from renderer/', async () => {
    await expectRejected('renderer/importsServerType.ts', BOUNDARY_RULE, 'to elements of type "server"');
  });

  test('rejects electron imported from renderer/', async () => {
    await expectRejected('renderer/importsElectron.ts', BOUNDARY_RULE, 'never by importing electron');
  });

  test('rejects an electron/ file imported from server/', async () => {
    await expectRejected('server/importsElectron.ts', BOUNDARY_RULE, 'to elements of type "electron"');
  });

  test('rejects a renderer/ file imported from server/', async () => {
    await expectRejected('server/importsRenderer.ts', BOUNDARY_RULE, 'to elements of type "renderer"');
  });

  test('accepts renderer/ importing shared/', async () => {
    await expectAccepted('renderer/importsShared.ts');
  });

  test('accepts server/ importing shared/, a library and a Node built-in', async () => {
    await expectAccepted('server/importsShared.ts');
  });

  test('accepts electron/ importing shared/, electron and a Node built-in', async () => {
    await expectAccepted('electron/importsShared.ts');
  });
});

// The same config at the real repository root, so a wrong root path or resolver setting cannot
// pass the fixture tests while failing the project.
describe('import boundaries at the repository root', () => {
  let eslint: ESLint;

  async function lintAt(path: string, code: string): Promise<Linter.LintMessage[]> {
    return errorsOf(await eslint.lintText(code, { filePath: join(REPO_ROOT, path) }));
  }

  // Any real module in shared/: its files are still being written, so none is named here.
  function someSharedModule(): string {
    const found = readdirSync(join(REPO_ROOT, 'shared'), { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))
      .sort();
    if (found[0] === undefined) throw new Error('shared/ holds no .ts module to import');
    return join(REPO_ROOT, 'shared', found[0]);
  }

  beforeAll(() => {
    eslint = new ESLint({ cwd: REPO_ROOT });
  });

  test('rejects a Node built-in imported from a file in shared/', async () => {
    const errors = await lintAt('shared/boundaryProbe.ts', "import { readFileSync } from 'node:fs';\n\nexport const read = readFileSync;\n");
    expect(
      errors.some((error) => error.ruleId === BOUNDARY_RULE && error.message.includes('origin "core"')),
      describeErrors(errors),
    ).toBe(true);
  });

  // The layering at the real root, on the import that was once allowed as a temporary exception
  // (the client reading sync/protocol.ts's status types), so it cannot come back unseen.
  test('rejects shared/client/client.ts importing shared/sync/', async () => {
    const errors = await lintAt('shared/client/client.ts', "import { limits } from '../sync/protocol';\n\nexport const probe = limits;\n");
    expect(
      errors.some((error) => error.ruleId === BOUNDARY_RULE && error.message.includes('shared/client/ may import only')),
      describeErrors(errors),
    ).toBe(true);
  });

  // SHARED_LAYERING_EXCEPTIONS lets each listed file import its one file, and no more.
  test('rejects a record layout importing governance beyond its temporary exception', async () => {
    const errors = await lintAt('shared/records/ballot.ts', "import { tally } from '../governance/tally';\n\nexport const probe = tally;\n");
    expect(
      errors.some((error) => error.ruleId === BOUNDARY_RULE && error.message.includes('not shared/governance/')),
      describeErrors(errors),
    ).toBe(true);
  });

  test('accepts a real shared/ module imported from server/', async () => {
    const target = relative(join(REPO_ROOT, 'server'), someSharedModule()).replace(/\.ts$/, '');
    const errors = await lintAt('server/boundaryProbe.ts', `import * as shared from './${target}';\n\nexport const probe = shared;\n`);
    expect(errors, describeErrors(errors)).toEqual([]);
  });
});
