/**
 * jose 6 is published as ECMAScript modules only. This project compiles to CommonJS, so it loads
 * jose with require(), which Node supports for ES modules from 20.19 (and the jest config
 * transforms jose for the tests). The types are the package's own.
 */
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const jose: typeof Jose = require('jose');
export type { JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
