/** Jest runs the TypeScript sources through ts-jest; integration tests start real servers, so they run serially. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type errors are the typecheck step's job (npm test runs it first); jest only transpiles, file by file.
  // jose, cookie (fastify inject) and content-disposition (swagger-ui) ship ES modules only; jest
  // loads them with require(esm) as Node does, so only the project's TypeScript is transformed.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120_000,
  maxWorkers: 1,
  // A suite that fails while it has servers or workers running must not keep the run from ending.
  forceExit: true,
  setupFiles: ['<rootDir>/test/support/sdk-logging.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
