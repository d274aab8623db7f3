// Unit tests sit beside the code; integration suites under test/ need real components
// (started by `npm run test:all`, see README).
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  // @platformatic/kafka (bus.kafka.client: platformatic) and its helpers are ES modules
  '/node_modules/@platformatic/.+\\.js$': '<rootDir>/test/support/esm-to-cjs.js',
};
const transformIgnorePatterns = ['/node_modules/(?!@platformatic/)'];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      roots: ['<rootDir>/services', '<rootDir>/dashboards'],
      testMatch: ['**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/unit-setup.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
  ],
};
