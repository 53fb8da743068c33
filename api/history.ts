/**
 * The record system as the API reads it for a cadre's history. The servers give the record store
 * (a pool of their own, or the store the process shares with the worker); without one the route
 * answers 503.
 */
import type { CadreHistory } from '../domain/history';

export interface CadreHistorySource {
  /** The history of `cadreId`, a cadre of `unitCode`: what the record system holds of its cases. */
  cadreHistory(cadreId: string, unitCode: string): Promise<CadreHistory>;
}
