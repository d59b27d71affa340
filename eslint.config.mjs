// The process boundary is enforced here, mechanically (as Signal Desktop does): what may import
// electron, React, the DOM or node:* depends on which runtime a file runs in.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const uiPackages = ['electron', 'react', 'react-dom', 'react-redux', '@reduxjs/toolkit', 'i18next']
const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'http',
  'https',
  'net',
  'dgram',
  'tls',
  'child_process',
  'crypto',
]

const noUi = {
  paths: uiPackages.map((name) => ({
    name,
    message: 'src/core and src/shared run without Electron, React or a DOM.',
  })),
  patterns: [
    {
      group: ['react/*', 'react-dom/*', 'electron/*', '@reduxjs/*'],
      message: 'src/core and src/shared run without Electron, React or a DOM.',
    },
  ],
}

const domGlobals = [
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'HTMLElement',
  'requestAnimationFrame',
].map((name) => ({ name, message: 'No DOM outside the renderer.' }))

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'coverage/**',
      '.data/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-ignore': true, 'ts-nocheck': true, 'ts-expect-error': 'allow-with-description' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.node,
    },
  },
  {
    // The published entry point is plain CommonJS so it runs on any Node without a loader.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': ['error', noUi],
      'no-restricted-globals': ['error', ...domGlobals],
    },
  },
  {
    // The shared contract has no runtime dependencies: only relative imports and type imports.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noUi,
          patterns: [
            ...noUi.patterns,
            {
              regex: '^[^.]',
              message: 'src/shared has no runtime dependencies.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // The engine is pure: no I/O, no timers, no wall clock, no ambient randomness.
    files: ['src/core/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noUi,
          patterns: [
            ...noUi.patterns,
            { group: nodeBuiltins, message: 'The engine does no I/O: inject it.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...domGlobals,
        ...[
          'setTimeout',
          'setInterval',
          'setImmediate',
          'clearTimeout',
          'clearInterval',
          'process',
          'fetch',
        ].map((name) => ({
          name,
          message: 'The engine is pure: time and I/O are injected.',
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected now.' },
        { object: 'Math', property: 'random', message: 'Use the seeded generator in state.' },
        { object: 'performance', property: 'now', message: 'Use the injected now.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use the injected now.',
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer reaches the main process only through the preload bridge.',
            },
          ],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer runs in a sandboxed browser: no Node.' },
            {
              group: ['**/core/**'],
              message: 'The renderer talks to the core over the socket, never by import.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts', 'src/preload/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**'], message: 'Main and preload never import the renderer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
)
