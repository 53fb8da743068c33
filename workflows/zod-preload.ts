/**
 * Loaded once per workflow thread, before any case runs (see `bundlerOptions` in worker/worker.ts):
 * zod is then shared by every case and frozen by the SDK. zod sets some module state on first use
 * (its default locale, whether it may compile parsers), so it is used here once, a passing and a
 * failing parse, while it can still do so.
 */
import { z } from 'zod';

const probe = z.object({ a: z.string().min(1) }).strict();
probe.safeParse({ a: 'a' });
probe.safeParse({ a: '', b: 1 });
