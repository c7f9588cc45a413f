// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';
import meshcall from './scripts/eslint-no-literal-ui-text.mjs';

// Process boundaries (docs/architecture.md, "Layers"): imports point one way,
// protocol ← crypto ← p2p ← main; renderer/ is DOM-only and imports runtime-neutral code from
// protocol/ and types, not code, from main/.
const nodeBuiltins = {
  group: ['node:*'],
  message: 'crypto/ and protocol/ are runtime-neutral: take Node helpers by injection.',
};
const electron = {
  group: ['electron'],
  message: 'Only the Electron shell in main/electron may import electron.',
};
// Any relative path that climbs into `layer/`, from any depth.
const upward = (layer) => ({
  regex: `^(\\.\\./)+${layer}/`,
  message: `imports point one way: this layer may not import ${layer}/.`,
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.out-*/**',
      'node_modules/**',
      'test-output/**',
      'bin/**',
      // Build scripts: plain ESM run by Node, outside tsconfig's project (as bin/ is).
      'scripts/**/*.mjs',
      'eslint.config.js',
      'test/support/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      'no-console': 'error',
      eqeqeq: 'error',
    },
  },
  {
    // The protocol module runs in the node and in the page: no Node, no DOM, no layer above.
    files: ['protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            nodeBuiltins,
            electron,
            upward('crypto'),
            upward('p2p'),
            upward('main'),
            upward('renderer'),
          ],
        },
      ],
      'no-restricted-globals': ['error', 'Buffer', 'process', 'window', 'document', 'require'],
    },
  },
  {
    files: ['crypto/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [nodeBuiltins, electron, upward('p2p'), upward('main'), upward('renderer')] },
      ],
      'no-restricted-globals': ['error', 'Buffer', 'process', 'window', 'document'],
    },
  },
  {
    files: ['p2p/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [electron, upward('main'), upward('renderer')] },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electron, upward('renderer')] }],
    },
  },
  // Only the Electron shell talks to Electron, and inside it only the preload touches the
  // renderer-side IPC: the page gets window.meshcall, never ipcRenderer or contextBridge.
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    ignores: ['main/**', 'p2p/**', 'crypto/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electron] }],
    },
  },
  {
    files: ['main/electron/**/*.ts'],
    ignores: ['main/electron/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['contextBridge', 'ipcRenderer'],
              message: 'Only main/electron/preload.ts may use contextBridge and ipcRenderer.',
            },
          ],
          patterns: [upward('renderer')],
        },
      ],
      'no-restricted-properties': [
        'error',
        { property: 'contextBridge', message: 'Only main/electron/preload.ts may use it.' },
        { property: 'ipcRenderer', message: 'Only main/electron/preload.ts may use it.' },
      ],
    },
  },
  {
    // A sandboxed preload can load 'electron' and nothing else at run time; types are free.
    files: ['main/electron/preload.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!(electron|\\./ipc-channels\\.js)$)',
              allowTypeImports: true,
              message:
                'The sandboxed preload may import only electron and ./ipc-channels.js at run time.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'Buffer', 'require', '__dirname', '__filename'],
    },
  },
  // renderer/ runs in the page: DOM only. It shares runtime-neutral code with the node through
  // protocol/ (schemas, the frame codec, chat order), may import types (never code) from
  // main/, and nothing from p2p/, crypto/, Node or Electron. Type-checked with
  // tsconfig.renderer.json.
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ['./tsconfig.renderer.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({
            name,
            message: 'renderer/ runs in the page: no Node modules.',
          })),
          patterns: [
            {
              regex: '^(\\.\\./)+main/',
              allowTypeImports: true,
              message: 'renderer/ may import types only from main/ (use `import type`).',
            },
            {
              group: ['**/p2p/*', '**/crypto/*'],
              message: 'renderer/ talks to the node through the typed API only.',
            },
            { group: ['node:*'], message: 'renderer/ runs in the page: no Node modules.' },
            electron,
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        'process',
        'Buffer',
        'require',
        'global',
        '__dirname',
        '__filename',
      ],
    },
  },
  {
    // Every word the interface shows comes from renderer/i18n/messages (issue 13, Languages).
    files: ['renderer/**/*.tsx'],
    plugins: { meshcall },
    rules: { 'meshcall/no-literal-ui-text': ['error', { allow: ['meshcall'] }] },
  },
  {
    files: ['test/**/*.ts'],

    rules: {
      // Mocha's describe/it callbacks and chai-free assertions are fine as they are.
      '@typescript-eslint/no-unused-expressions': 'off',
      'no-console': 'off',
    },
  },
  prettier,
);
