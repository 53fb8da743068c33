/**
 * The schema, as numbered migrations. They are TypeScript modules rather than .sql files so the
 * compiled output carries them; a migration, once released, is never edited: add the next one.
 */
import { migration001 } from './001_init';
import { migration002 } from './002_notifications';
import { migration003 } from './003_sealed_personal_data';
import { migration004 } from './004_registry';
import { migration005 } from './005_cadre_contact';
import { migration006 } from './006_admin_audit';
import { migration007 } from './007_results_and_hand_offs';
import { migration008 } from './008_read_model';
import { migration009 } from './009_statistics';
import { migration010 } from './010_effect_trackings';
import { migration011 } from './011_typical_cases';
import { migration012 } from './012_notification_planned';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}


export const migrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011, migration012];
