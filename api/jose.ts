/**
 * jose 6 is published as ECMAScript modules only. This project compiles to CommonJS, so it loads
 * jose with require(), which Node supports for ES modules (jest does the same in the tests). The types are the package's own.
 */
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const jose: typeof Jose = require('jose');
export type { JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
