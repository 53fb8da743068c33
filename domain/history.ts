/**
 * A cadre's history as the record system holds it (干部容错纠错记录): earlier tolerated cases, the
 * rulings in force, the "no negative evaluation" records of exemptions and the influence periods of
 * mitigations. One schema: the record system's reader returns it, the API's route answers with it.
 */
import { z } from 'zod';
import { outcomes } from './policy';

const instant = z.string().describe('An ISO instant (UTC).');
const civilDate = z.string().describe('A civil date in China, YYYY-MM-DD.');
const outcome = z.enum(outcomes);

export const cadreHistorySchema = z
  .object({
    cadreId: z.string(),
    /** The cadre's unit, from the registry. */
    unitCode: z.string(),
    toleratedCases: z
      .array(z.object({ caseId: z.string(), unitCode: z.string(), category: z.string(), outcome, outcomeLabel: z.string(), finalAt: instant }).strict())
      .describe('Earlier cases whose final ruling tolerated the mistake (exempt or mitigate), newest first.'),
    rulingsInForce: z
      .array(
        z
          .object({
            caseId: z.string(),
            rulingNo: z.number().int(),
            outcome,
            outcomeLabel: z.string(),
            influenceMonths: z.number().int().optional(),
            recommendedForm: z.number().int().optional(),
            tier: z.string().optional(),
            finalAt: instant.optional(),
          })
          .strict(),
      )
      .describe('The final ruling of each of the cadre’s cases that has one, newest first.'),
    noNegativeEvaluations: z
      .array(z.object({ caseId: z.string(), label: z.string().describe('不作负面评价'), from: civilDate }).strict())
      .describe('Exemptions: the cadre is not evaluated negatively for the mistake (不作负面评价), from the day the ruling was final.'),
    influencePeriods: z
      .array(
        z
          .object({
            caseId: z.string(),
            from: civilDate,
            until: civilDate.describe('The last day of the period.'),
            status: z.enum(['inForce', 'ended']),
            statusLabel: z.string().describe('影响期内 or 已届满.'),
            endedAt: instant.optional(),
          })
          .strict(),
      )
      .describe('Mitigations: the influence period (影响期) of each.'),
  })
  .strict()
  .meta({ id: 'CadreHistory', description: 'A cadre’s record of tolerated mistakes: earlier tolerated cases, rulings in force, no-negative-evaluation records and influence periods.' });
export type CadreHistory = z.infer<typeof cadreHistorySchema>;

export const influenceStatusLabels = { inForce: '影响期内', ended: '已届满' } as const;
