// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Process boundaries (DESIGN.md "Layers and folders"): imports point one way,
// crypto ← p2p ← main; renderer/ is DOM-only and imports types, not code, from main/.
const nodeBuiltins = {
  group: ['node:*'],
  message: 'crypto/ is pure: take Node helpers by injection.',
};
const electron = {
  group: ['electron'],
  message: 'Only the Electron shell in main/electron may import electron.',
};
const upward = (layer) => ({
  group: [`../${layer}/*`, `../../${layer}/*`],
  message: `imports point one way: this layer may not import ${layer}/.`,
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-output/**',
      'bin/**',
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
