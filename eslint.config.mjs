// ESLint flat config: typescript-eslint's recommended rules with type information everywhere, and the
// workflow sandbox rules for workflows/** (workflow code must be deterministic and do no I/O).
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Every Node built-in, bare and node:-prefixed, plus the ones that exist only with the prefix.
const nodeBuiltins = [
  ...new Set([
    ...builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])),
    ...['node:sea', 'node:sqlite', 'node:test', 'node:test/reporters'],
  ]),
];
const ioLibraries = [
  'pg',
  '@electric-sql/pglite',
  'nodemailer',
  'fastify',
  'pino',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];
const workflowMessage =
  'Workflow code runs in a deterministic sandbox: no Node built-ins and no I/O. Put it in an activity (activities/) and call it with proxyActivities.';
/** What workflow code may not import (Node built-ins and I/O libraries, types excepted). */
const sandboxPaths = [...nodeBuiltins, ...ioLibraries].map((name) => ({ name, message: workflowMessage, allowTypeImports: true }));
const sandboxPatterns = [
  {
    group: ioLibraries.map((m) => `${m}/*`), // built-in subpaths (fs/promises...) are in builtinModules
    message: workflowMessage,
    allowTypeImports: true,
  },
];

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'tools/**', 'coverage/**', 'data/**', 'bench/results/**', '**/*.js', '**/*.cjs', '**/*.mjs'],
  },
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A warning, like tsconfig (no noUnusedLocals): unused code is noise, not a defect that should stop CI.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { paths: sandboxPaths, patterns: sandboxPatterns }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow: timers must be durable.' },
        { name: 'setInterval', message: 'Use a loop with sleep() from @temporalio/workflow: timers must be durable.' },
        { name: 'crypto', message: 'Use uuid4() from @temporalio/workflow, or compute hashes in an activity.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Not deterministic on replay; use uuid4() or pass randomness in through an activity.' },
        { object: 'globalThis', property: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { object: 'globalThis', property: 'setInterval', message: 'Use sleep() from @temporalio/workflow.' },
        { object: 'globalThis', property: 'crypto', message: 'Use uuid4() from @temporalio/workflow, or an activity.' },
      ],
    },
  },
  {
    // The workflow thread evaluates these modules once and shares them with every case (workflows/preload.ts):
    // a module-level variable or collection would be state that one case leaks into the next.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration[kind!="const"]',
          message: 'No module-level `let` or `var` in workflow and domain code: the modules are shared by every case of a workflow thread.',
        },
        {
          selector: ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet)$/]',
          message: 'No module-level collection in workflow and domain code: the modules are shared by every case of a workflow thread.',
        },
      ],
    },
  },
  {
    // The case asks about every patch through the machine, so that the baseline answers for the
    // patches it stands for (workflows/case/patches.ts); only the shell hands it Temporal's `patched`.
    files: ['workflows/case/**/*.ts'],
    ignores: ['workflows/case/index.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...sandboxPaths,
            { name: '@temporalio/workflow', importNames: ['patched', 'deprecatePatch'], message: 'Ask m.patched(patches.<id>): the baseline patch answers for the patches it stands for (workflows/case/patches.ts).' },
          ],
          patterns: sandboxPatterns,
        },
      ],
    },
  },
);
