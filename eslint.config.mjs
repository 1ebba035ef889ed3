// @ts-check
/**
 * ESLint for the TypeScript sources (`npm run lint:ts`, part of `npm test`): typescript-eslint's recommended
 * rules plus those of the VS Code extension samples (curly, eqeqeq, semi, import names).
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'samples/**', 'test/fixtures/**', 'test-artifacts/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/naming-convention': ['error', { selector: 'import', format: ['camelCase', 'PascalCase'] }],
      curly: ['error', 'multi-line'],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-throw-literal': 'error',
      semi: 'error',
      // `(...args: any[])` is how listener and command signatures are typed.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' }],
      // A variable a closure reads before its one assignment (a composition root) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Names and file names are cleaned of control characters on purpose.
      'no-control-regex': 'off',
      // Typed EventEmitters declare their events in an interface of the class's name.
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
    },
  },
  {
    // Tests and benchmarks read untyped JSON and the page's globals.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // They load the app's files and the library's internals by path at run time.
    files: ['emulator/worker/loader.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
