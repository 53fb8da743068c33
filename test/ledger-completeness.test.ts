/** ledger:verify checks that each case's chain holds every entry of its timeline, and names what is missing. */
import { checkCompleteness, formatVerification } from '../activities/records/verify-cli';

test('When a verified chain is shorter than its case\'s timeline, then it is reported incomplete with the entries missing at its end', async () => {
  const lengths: Record<string, number | undefined> = { 'case-A': 3, 'case-B': 5, 'case-C': 4 };
  const results = await checkCompleteness(
    [
      { caseId: 'case-A', ok: true, entries: 3, head: 'h' },
      { caseId: 'case-B', ok: true, entries: 3, head: 'h' },
      { caseId: 'case-C', ok: false, entries: 2, firstBrokenSeq: 1, problem: 'entry 1 does not match its hash: its fields were edited' },
      { caseId: 'case-D', ok: true, entries: 7 },
    ],
    async (id) => lengths[id],
  );
  expect(results.map((r) => [r.caseId, r.ok])).toEqual([
    ['case-A', true],
    ['case-B', false],
    ['case-C', false],
    ['case-D', true],
  ]);
  expect(results[1]).toMatchObject({ firstBrokenSeq: 3, problem: 'incomplete: the case has 5 timeline entries, the ledger 3 (entries 3–4 missing at the end)' });
  // a broken chain keeps its own problem; a case Temporal no longer knows is judged by its chain alone
  expect(results[2]!.problem).toMatch(/edited/);
  expect(formatVerification(results)).toMatch(/4 cases checked, 2 broken/);
});
