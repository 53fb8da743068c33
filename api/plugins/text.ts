/**
 * Every string of a request, in its body, query string and path parameters (keys included), is
 * checked once, before validation, for characters PostgreSQL or Temporal could refuse
 * (common/text.ts). A request with one is a validation problem naming each field by path; nothing
 * reaches a route.
 */
import fp from 'fastify-plugin';
import { describeUnsafe, findUnsafeText } from '../../common/text';
import { bilingual } from '../i18n';
import { ProblemError } from '../problems';

export default fp(
  async (app) => {
    app.addHook('preValidation', async (request) => {
      const found = [...findUnsafeText(request.params, 'params'), ...findUnsafeText(request.query, 'query'), ...findUnsafeText(request.body, 'body')];
      if (found.length === 0) return;
      throw new ProblemError('validation', 'Some text has a character that is not accepted: NUL, a lone surrogate, or a control character other than tab, line feed and carriage return.', {
        errors: found.map((u) => ({ path: u.path, message: bilingual(describeUnsafe(u, 'en'), describeUnsafe(u, 'zh')) })),
      });
    });
  },
  { name: 'text', dependencies: ['problems'] },
);
