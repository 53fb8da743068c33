/** One Node.js major everywhere: package.json's engines, its Node types, the image, and the Node running the tests. */
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
const requiredMajor = Number(/^>=\s*(\d+)$/.exec(pkg.engines.node)?.[1]);

test('When package.json is read, then engines.node is ">=<major>" and @types/node is of that major', () => {
  expect(requiredMajor).toBeGreaterThanOrEqual(26);
  expect(pkg.devDependencies['@types/node']?.split('.')[0]).toBe(String(requiredMajor));
});

test('When the Dockerfile is read, then its NODE_IMAGE is the required major', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${requiredMajor}-[a-z]+-slim$`, 'm'));
});

test('When the tests run, then they run on a Node of at least the required major', () => {
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(requiredMajor);
});

test('When .ci/run is read, then it installs the required Node when the machine\'s is older, before npm ci', () => {
  const ci = fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8');
  const node = ci.indexOf('phase "node" ensure_node');
  expect(node).toBeGreaterThan(0);
  expect(node).toBeLessThan(ci.indexOf('phase "npm ci"'));
});
