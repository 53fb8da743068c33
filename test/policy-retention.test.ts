/** The policy's retention period: optional, so every document written before it stays valid. */
import defaultPolicyDocument from '../domain/policies/default.json';
import { defaultPolicy, PolicyRegistry } from '../domain/policies';
import { policySchema } from '../domain/policy';

const withoutRetention = (): Record<string, unknown> => {
  const { retention: _retention, ...rest } = structuredClone(defaultPolicyDocument) as Record<string, unknown>;
  return rest;
};

test('When a policy document has no retention, then it is valid and keeps personal data 10 years after closing', () => {
  // Act
  const parsed = policySchema.safeParse({ ...withoutRetention(), version: 'default@2024.1' });

  // Assert
  expect(parsed.success).toBe(true);
  expect(parsed.data?.retention).toEqual({ years: 10 });
});

test('When the default policy is loaded, then it states its retention of 10 years', () => {
  expect(defaultPolicyDocument.retention).toEqual({ years: 10 });
  expect(defaultPolicy.retention.years).toBe(10);
});

test('When a document of a loaded version omits the default retention, then the registry takes it as the same version', () => {
  // Arrange
  const registry = new PolicyRegistry([defaultPolicy]);

  // Act
  const add = () => registry.add(policySchema.parse(withoutRetention()));

  // Assert
  expect(add).not.toThrow();
});

test.each([
  ['zero years', { years: 0 }],
  ['a fraction of a year', { years: 2.5 }],
  ['an unknown field', { years: 5, months: 3 }],
])('When the retention has %s, then the document is invalid', (_what, retention) => {
  expect(policySchema.safeParse({ ...withoutRetention(), retention }).success).toBe(false);
});
