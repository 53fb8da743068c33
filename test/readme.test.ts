/** The README documents what the code does: its configuration table is the one the code prints. */
import fs from 'node:fs';
import path from 'node:path';
import { configTable } from '../common/config';

test('When the README is read, then its configuration table equals configTable() and it shows both commands', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  expect(readme).toContain(configTable());
  expect(readme.split('\n').slice(0, 6).join('\n')).toMatch(/npm start[\s\S]*npm test/);
});
