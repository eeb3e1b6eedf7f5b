// Lint for Fieldwise. Besides typescript-eslint's recommended rules (not type-aware, for speed) it
// holds the import boundaries of DESIGN.md §2, so a wrong import fails `npm test`, not review:
//   shared/                       -> other shared/ files and libraries; no Node built-ins, no
//                                    electron, no react; no DOM or Node globals
//   renderer/, electron/, server/ -> shared/, their own files and libraries; never one another
//                                    (renderer: no Node built-ins and no electron either, since it
//                                    runs sandboxed and reaches the desktop only through the bridge)
//   test/, scripts/, build/       -> anything
//   inside shared/                -> only the layers below (SHARED_LAYERS below)
// and it refuses import cycles among runtime imports (import-x/no-cycle).
// test/unit/boundaries.test.ts proves each line by linting the fixtures in test/fixtures/boundaries/,
// and test/unit/importCycles.test.ts the cycle check with those in test/fixtures/cycles/.
import boundaries from 'eslint-plugin-boundaries';
import checkFile from 'eslint-plugin-check-file';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const repoRoot = import.meta.dirname;

const CODE_FILES = ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'];
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];

// Libraries that only work on one side of the app; shared/ must not import them.
const RUNTIME_BOUND_LIBRARIES = ['electron', 'react', 'react-dom', 'react-*'];

// Browser and Node globals that do not exist everywhere shared/ runs. shared/tsconfig.json already
// leaves out the DOM lib and Node types; this also catches plain JS and gives a clearer message.
const SHARED_FORBIDDEN_GLOBALS = [
  ...[
    'window',
    'self',
    'document',
    'navigator',
    'location',
    'history',
    'localStorage',
    'sessionStorage',
    'indexedDB',
    'caches',
    'fetch',
    'XMLHttpRequest',
    'WebSocket',
    'EventSource',
    'Worker',
    'alert',
    'confirm',
    'prompt',
  ].map((name) => ({
    name,
    message: `shared/ runs in the renderer, the main process and the hub: do not use the browser global '${name}'; take what you need as an injected port.`,
  })),
  ...['process', 'Buffer', 'global', 'require', 'module', '__dirname', '__filename', 'setImmediate'].map(
    (name) => ({
      name,
      message: `shared/ runs in the renderer, the main process and the hub: do not use the Node global '${name}'; take what you need as an injected port.`,
    }),
  ),
];

// The layers inside shared/ (issue 11), each folder with the other folders it may import, besides
// its own files and libraries. Every import between folders counts, type-only ones too: a type
// from an upper layer ties the lower one to its shape just as a value does.
//   records at the bottom (each record type's Yjs layout), then rules (the one table of who may do
//   what; it reads records), then store (RxDB), then client (the door to the store), then sync
//   (the protocol and the engine that drives the client). Nothing imports upward.
//   governance, matching and search are pure domain functions over records and rules; they never
//   import store, client or sync. client may use them (it runs the search index), and sync may
//   too (the protocol carries governance's error codes).
//   reports builds report models from records with governance's and matching's functions; it
//   never imports store, client or sync either: it reads through its own ReportSource port,
//   which the client satisfies.
//   blobs is the seam for binary content (docs/ARCHITECTURE.md, "Binary content"): content
//   addressing, the device-side blob store port and the blob sync's plan. It knows nothing of
//   records, so it sits below them: a record will hold a BlobRef, not the other way round.
//   inbox is "what needs me": a pure computation over records with governance's and matching's
//   functions, plus the owner of its read markers in the store's meta and a loader that reads its
//   input through the client and the sync state; it sits on top, and only the renderer uses it.
//   bridge is the desktop bridge contract between renderer/ and electron/: plain data across the
//   process boundary, so it imports no other folder, and no folder of shared/ needs it.
// A folder missing from this table is refused as soon as it imports another folder: give it its
// place here first.
const SHARED_LAYERS = {
  blobs: [],
  bridge: [],
  workers: [],
  records: ['blobs'],
  rules: ['records', 'blobs'],
  governance: ['records', 'rules', 'blobs'],
  matching: ['records', 'rules', 'blobs'],
  search: ['records', 'rules', 'blobs', 'workers'],
  store: ['records', 'rules', 'blobs'],
  reports: ['records', 'rules', 'blobs', 'governance', 'matching'],
  client: ['records', 'rules', 'blobs', 'governance', 'matching', 'search', 'store', 'workers'],
  sync: ['records', 'rules', 'blobs', 'governance', 'matching', 'search', 'store', 'client', 'workers'],
  inbox: ['records', 'rules', 'blobs', 'governance', 'matching', 'search', 'store', 'client', 'sync', 'workers'],
};

// TEMPORARY (issue 11): known breaks of the layering above, each one file (pattern) importing one
// file, to be removed by moving code to the layer where it belongs; nothing else gets through.
// - The record layouts of ballot, proposal and result take their per-method schemas (a ballot's
//   choice, the method names, a result's counts) from governance's decision-method registry, which
//   also counts ballots and itself builds on records (methods/choiceOptionId.ts imports
//   records/fieldSchemas.ts). The fix: split each method module into its schema part, which
//   belongs with the records (e.g. shared/records/decisionMethodSchemas.ts), and its counting
//   part, which stays in governance/; then delete this entry (and the list when it is empty).
const SHARED_LAYERING_EXCEPTIONS = [{ from: 'shared/records/{ballot,proposal,result}.ts', to: 'shared/governance/decisionMethods.ts' }];

const sharedLayer = (layer) => ({ type: 'shared', captured: { layer } });
// Any first folder of shared/ that SHARED_LAYERS does not name (a micromatch extglob).
const UNPLACED_LAYER = `!(${Object.keys(SHARED_LAYERS).join('|')})`;

const sharedLayeringPolicies = [
  ...Object.entries(SHARED_LAYERS).map(([layer, below]) => {
    const notBelow = Object.keys(SHARED_LAYERS).filter((other) => other !== layer && !below.includes(other));
    return {
      from: { element: sharedLayer(layer) },
      disallow: { to: { element: sharedLayer(notBelow) } },
      message: `shared/${layer}/ may import only ${below.length ? below.map((name) => `shared/${name}/`).join(', ') : 'its own files'} (and libraries): not shared/{{ to.element.captured.layer }}/, which is not below it in the layering of eslint.config.js (SHARED_LAYERS).`,
    };
  }),
  {
    from: { element: sharedLayer(UNPLACED_LAYER) },
    disallow: { to: { element: { type: 'shared' } } },
    message: 'shared/{{ from.element.captured.layer }}/ has no place in the layering of shared/: add it to SHARED_LAYERS in eslint.config.js, with the folders it may import.',
  },
  {
    from: { element: { type: 'shared' } },
    disallow: { to: { element: sharedLayer(UNPLACED_LAYER) } },
    message: 'shared/{{ to.element.captured.layer }}/ has no place in the layering of shared/: add it to SHARED_LAYERS in eslint.config.js before importing it.',
  },
  {
    from: { element: { type: 'shared', path: 'shared' } },
    disallow: { to: { element: { type: 'shared' } } },
    message: 'A file directly in shared/ has no layer: put it in the folder of its layer (SHARED_LAYERS in eslint.config.js).',
  },
  {
    from: { element: { type: 'shared' } },
    disallow: { to: { element: { type: 'shared', path: 'shared' } } },
    message: 'shared/{{ to.element.fileInternalPath }} sits directly in shared/ and has no layer: put it in the folder of its layer (SHARED_LAYERS in eslint.config.js).',
  },
  ...SHARED_LAYERING_EXCEPTIONS.map(({ from, to }) => ({
    from: { file: { path: from } },
    allow: { to: { file: { path: to } } },
  })),
];

const toType = (type) => ({ to: { element: { type } } });
const toOrigin = (origin) => ({ to: { module: { origin } } });

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    '**/out/',
    'coverage/',
    '.cache/',
    // Deliberately broken code: linted only by test/unit/boundaries.test.ts and
    // test/unit/importCycles.test.ts, which turn ignores off.
    'test/fixtures/boundaries/',
    'test/fixtures/cycles/',
  ]),

  {
    files: CODE_FILES,
    extends: [tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },

  // Config files, scripts and tests run on Node.
  {
    files: ['*.{js,mjs,cjs,ts}', 'scripts/**', 'test/**', 'server/**', 'electron/**', 'build/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // One naming convention for files (STYLE.md): camelCase, e.g. `ballotId.ts`. Middle extensions
  // (`.test`, `.config`, `.electron`, `.d`) are not part of the name.
  {
    files: CODE_FILES,
    plugins: { 'check-file': checkFile },
    rules: {
      'check-file/filename-naming-convention': [
        'error',
        { '**/*.{ts,tsx,mts,cts,js,mjs,cjs}': 'CAMEL_CASE' },
        { ignoreMiddleExtensions: true },
      ],
    },
  },
  // React components are named after the component they export, in PascalCase (`EntryEditor.tsx`);
  // every other renderer file (hooks, platform, i18n) stays camelCase `.ts`.
  {
    files: ['renderer/**/*.tsx'],
    plugins: { 'check-file': checkFile },
    rules: {
      'check-file/filename-naming-convention': ['error', { '**/*.tsx': 'PASCAL_CASE' }, { ignoreMiddleExtensions: true }],
    },
  },

  // Import boundaries (DESIGN.md §2).
  {
    files: CODE_FILES,
    plugins: { boundaries },
    settings: {
      // Element paths are matched from the repository root, whatever the working directory.
      'boundaries/root-path': repoRoot,
      'boundaries/elements': [
        // shared/<layer>/…: the layer is the first folder (SHARED_LAYERS). The first descriptor that
        // matches wins, so the plain `shared` one below only takes files directly in shared/.
        { type: 'shared', pattern: 'shared/*', capture: ['layer'], partialMatch: false },
        { type: 'shared', pattern: 'shared', partialMatch: false },
        { type: 'renderer', pattern: 'renderer', partialMatch: false },
        { type: 'electron', pattern: 'electron', partialMatch: false },
        { type: 'server', pattern: 'server', partialMatch: false },
        { type: 'test', pattern: 'test', partialMatch: false },
        { type: 'scripts', pattern: 'scripts', partialMatch: false },
        { type: 'build', pattern: 'build', partialMatch: false },
      ],
      // Imports are extensionless relative TypeScript paths (`../records/entry`). Without a resolver
      // that knows `.ts`, a relative import resolves to nothing and the boundary rule cannot tell
      // which element it points into.
      'import/resolver': {
        node: { extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'] },
      },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          // Judge library and Node built-in imports too, not only local files.
          checkAllOrigins: true,
          // A relative import that does not resolve to a known element is refused, so a typo or a
          // file outside the layout cannot slip past the boundaries.
          checkUnknownLocals: true,
          // No rule-wide message: the plugin's own names both layers, e.g. 'There is no policy
          // allowing dependencies from elements of type "renderer" to elements of type "server"'.
          policies: [
            {
              from: { element: { type: 'shared' } },
              allow: [toType('shared'), toOrigin('external')],
            },
            {
              from: { element: { type: 'shared' } },
              disallow: { to: { module: { source: RUNTIME_BOUND_LIBRARIES } } },
              message:
                'shared/ runs everywhere: it must not import electron or react (DESIGN.md §2). Put this code in electron/ or renderer/, or inject it through a port.',
            },
            ...sharedLayeringPolicies,
            {
              from: { element: { type: 'renderer' } },
              allow: [toType('renderer'), toType('shared'), toOrigin('external')],
            },
            {
              from: { element: { type: 'renderer' } },
              disallow: { to: { module: { source: 'electron' } } },
              message:
                'renderer/ reaches the desktop only through the bridge typed in shared/, never by importing electron (DESIGN.md §2, §7).',
            },
            {
              from: { element: { type: 'electron' } },
              allow: [toType('electron'), toType('shared'), toOrigin('external'), toOrigin('core')],
            },
            {
              from: { element: { type: 'server' } },
              allow: [toType('server'), toType('shared'), toOrigin('external'), toOrigin('core')],
            },
            {
              from: { element: { types: { anyOf: ['test', 'scripts', 'build'] } } },
              allow: { to: { module: { origin: '*' } } },
            },
          ],
        },
      ],
    },
  },

  // No import cycles among runtime imports (issue 11): a cycle makes evaluation order decide
  // whether a module sees its imports initialised, and it welds layers together. Type-only imports
  // (`import type`, or every specifier `type`) are erased at compile time and do not count, so two
  // modules may name each other's types. test/unit/importCycles.test.ts proves both.
  {
    files: CODE_FILES,
    plugins: { 'import-x': importX },
    settings: {
      // The same extensionless `.ts` imports as above; import-x keeps its own resolver setting,
      // and follows into a resolved file only when its extension is listed here (by default only
      // JavaScript's, so every cycle through a .ts file would pass unseen).
      'import-x/resolver-next': [createNodeResolver({ extensions: SOURCE_EXTENSIONS })],
      'import-x/extensions': SOURCE_EXTENSIONS,
    },
    rules: {
      // Libraries are never part of our cycles; skipping them keeps `npm run lint` from parsing
      // node_modules.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },

  {
    files: ['shared/**'],
    rules: {
      'no-restricted-globals': ['error', ...SHARED_FORBIDDEN_GLOBALS],
    },
  },
]);
