/** The API's collaborators, injected once and decorated onto the instance for the routes. */
import fp from 'fastify-plugin';
import type { Config } from '../../common/config';
import type { WorkingDayCalendar } from '../../domain/calendar';
import type { PolicyRegistry } from '../../domain/policies';
import type { RegistrySource } from '../registry';
import type { CaseGateway } from '../gateway';
import type { CadreHistorySource } from '../history';
import type { ReadModel } from '../read-model';
import type { LibrarySource } from '../library';
import type { StatisticsSource } from '../statistics';

/**
 * Readiness probes by name (/readyz runs every one): each resolves when what it checks can serve,
 * rejects otherwise. The API's are `temporal` and `workers` (api/readiness.ts), and `database` where
 * the process uses the record store.
 */
export type Readiness = Record<string, () => Promise<void>>;

export interface Services {
  config: Config;
  cases: CaseGateway;
  /** The inbox and the case list, from the read model in the record system. */
  readModel: ReadModel;
  policies: PolicyRegistry;
  /** The working-day calendar a new case pins (shipped years and published notices). */
  calendar: WorkingDayCalendar;
  /** Localities, bodies and cadres: who acts for which body, where a case belongs. */
  registry: RegistrySource;
  readiness: Readiness;
  /** The clock: today's date picks the policy and the year of a case number. */
  now: () => Date;
  /** Cadre histories from the record system, where the process has one. */
  history?: CadreHistorySource | undefined;
  /** The typical-case library in the record system. */
  library: LibrarySource;
  /** Statistics and periodic reports from the record system. */
  statistics: StatisticsSource;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    cases: CaseGateway;
    readModel: ReadModel;
    policies: PolicyRegistry;
    calendar: WorkingDayCalendar;
    registry: RegistrySource;
    readiness: Readiness;
    now: () => Date;
    history: CadreHistorySource | undefined;
    library: LibrarySource;
    statistics: StatisticsSource;
  }
}

export default fp<Services>(
  async (app, services) => {
    app.decorate('config', services.config);
    app.decorate('cases', services.cases);
    app.decorate('readModel', services.readModel);
    app.decorate('policies', services.policies);
    app.decorate('calendar', services.calendar);
    app.decorate('registry', services.registry);
    app.decorate('readiness', services.readiness);
    app.decorate('now', services.now);
    app.decorate('history', services.history);
    app.decorate('library', services.library);
    app.decorate('statistics', services.statistics);
  },
  { name: 'services' },
);
