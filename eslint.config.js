// Lint for Fieldwise. Besides typescript-eslint's recommended rules (not type-aware, for speed) it
// holds the import boundaries of DESIGN.md §2, so a wrong import fails `npm test`, not review:
//   shared/                       -> other shared/ files and libraries; no Node built-ins, no
//                                    electron, no react; no DOM or Node globals
//   renderer/, electron/, server/ -> shared/, their own files and libraries; never one another
//                                    (renderer: no Node built-ins and no electron either, since it
//                                    runs sandboxed and reaches the desktop only through the bridge)
//   test/, scripts/, build/       -> anything
// test/unit/boundaries.test.ts proves each line by linting the fixtures in test/fixtures/boundaries/.
import boundaries from 'eslint-plugin-boundaries';
import checkFile from 'eslint-plugin-check-file';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const repoRoot = import.meta.dirname;

const CODE_FILES = ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'];

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

const toType = (type) => ({ to: { element: { type } } });
const toOrigin = (origin) => ({ to: { module: { origin } } });

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    '**/out/',
    'coverage/',
    '.cache/',
    // Deliberately broken code: linted only by test/unit/boundaries.test.ts, which turns ignores off.
    'test/fixtures/boundaries/',
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

  {
    files: ['shared/**'],
    rules: {
      'no-restricted-globals': ['error', ...SHARED_FORBIDDEN_GLOBALS],
    },
  },
]);
