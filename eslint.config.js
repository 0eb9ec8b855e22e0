import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'out/', '.bench/', '.scratch/', 'resources/demo/dataset/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // In the app, promises are awaited, returned or explicitly voided, and none is passed where a
    // void callback is expected. (Tests are left out: node:test's test() returns one by design.)
    files: ['electron/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    // The preload is checked with the shell (scripts/typecheck-shell.mjs), outside the projects.
    ignores: ['electron/preload/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error' },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'prefer-const': 'error',
    },
  },
  {
    // Playwright fixtures must destructure their first argument, even when they use none of it.
    files: ['test/e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    // Layering: common is pure TS; node services never import electron; the renderer only
    // takes types from common, and the pure modules it shares: the API schemas, the search
    // tokenizing its highlighting must agree with, and descriptions the CLI prints too (heads'
    // progress among them).
    files: ['electron/common/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', '../node/*', '../main/*', '../workers/*'] }] },
  },
  {
    // Node services never import electron, the main process, the preload or (below electron/node)
    // the worker entry points; the workers import node, not the other way round.
    files: ['electron/node/**/*.ts', 'electron/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['electron'], patterns: [{ regex: '/(main|preload|workers)/', message: 'electron/node imports neither electron/main, the preload nor electron/workers' }] }] },
  },
  {
    files: ['electron/workers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['electron'], patterns: ['**/main/*', '**/preload/*'] }] },
  },
  {
    // The store is the bottom layer: it imports only itself, common and the process check.
    files: ['electron/node/store/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!processes\\.ts$)\\w', message: 'store imports only store modules, electron/common and processes.ts' }] }] },
  },
  {
    files: ['electron/node/store/migrations/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./\\.\\./(?!processes\\.ts$)\\w', message: 'store imports only store modules, electron/common and processes.ts' }] }] },
  },
  {
    // SQL lives in the store: no statement is prepared or run anywhere else.
    files: ['electron/node/**/*.ts', 'electron/workers/**/*.ts', 'electron/main/**/*.ts'],
    ignores: ['electron/node/store/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name=/^(prepare|pragma)$/]", message: 'SQL lives in electron/node/store: call a store function' },
        { selector: "CallExpression[callee.property.name='exec'][arguments.0.type=/^(Literal|TemplateLiteral)$/]", message: 'SQL lives in electron/node/store: call a store function' },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', HTMLElement: 'readonly', KeyboardEvent: 'readonly', ResizeObserver: 'readonly', fetch: 'readonly' } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'the renderer talks to main only through its api/ client' }],
          patterns: [
            { group: ['node:*'], message: 'the renderer has no Node' },
            { regex: '/electron/(?!common/(schemas|search-text|describe|heads|vetting|dgm4|candidates|view-state)\\.ts$)', allowTypeImports: true, message: 'the renderer imports only types from electron/common, and the pure modules it shares (schemas, search tokenizing, descriptions, head kinds and progress, vetting limits and verdicts, DGM4 classes and words, candidate strategies, the view state in the URL)' },
          ],
        },
      ],
    },
  },
);
