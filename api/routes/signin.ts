/**
 * The sign-in page for the Temporal UI (see api/session.ts): GET /signin shows a form, POST /signin
 * starts a session from a bearer token (any deployment) or, with SIGNIN_DEV_IDENTITIES, as a
 * development identity (`npm start`), POST /signout ends it. Pages are Chinese HTML; the form is
 * accepted only from the API's own origin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { beijingTime } from '../../domain/calendar';
import { roleLabels } from '../../domain/labels';
import type { Actor } from '../../domain/case';
import { jose } from '../jose';
import { clearedSessionCookie, DEV_SESSION_SECONDS, devIdentities, sessionCookie, sessionRoles, type DevIdentity } from '../session';
import { createVerifier, signToken, TokenError } from '../tokens';
import { caseViews, uiSetupBookmarklet, uiSetupScript } from '../ui-setup';

const FORM_BODY_LIMIT = 16 * 1024;

const signinBody = z.object({
  token: z.string().max(8192).optional(),
  identity: z.enum(Object.keys(devIdentities) as [DevIdentity, ...DevIdentity[]]).optional(),
});

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · 容错纠错</title>
<style>
body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#1f2328}
h1{font-size:1.4rem}form{margin:1rem 0;padding:1rem;border:1px solid #d0d7de;border-radius:6px}textarea{width:100%;font-family:monospace}
button{font-size:1rem;padding:.3rem 1rem;margin:.3rem .5rem .3rem 0}.error{color:#cf222e;font-weight:bold}.ok{color:#1a7f37;font-weight:bold}
a.bookmarklet{display:inline-block;padding:.3rem .8rem;border:1px dashed #0969da;border-radius:6px;text-decoration:none}pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:.5rem;font-size:.8rem}
</style></head><body>${body}</body></html>`;
}

const signinRoutes: FastifyPluginAsyncZod = async (app) => {
  const config = app.config;
  const verify = createVerifier(config);

  // Forms post urlencoded bodies; only these routes read them.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of new URLSearchParams(body as string)) out[k] = v;
    done(null, { ...out });
  });

  const ownOrigin = (request: FastifyRequest) => (config.apiPublicUrl ? new URL(config.apiPublicUrl).origin : `${request.protocol}://${request.host}`);
  const secure = (request: FastifyRequest) => ownOrigin(request).startsWith('https:');
  /** The Temporal UIs on the API's host: only there does the browser send the SameSite cookie along. */
  const uiOrigins = (request: FastifyRequest) => {
    const host = new URL(ownOrigin(request)).hostname;
    return config.codecCorsOrigins.filter((o) => new URL(o).hostname === host);
  };

  const form = (request: FastifyRequest, message = '') => {
    const dev = config.signinDevIdentities
      ? `<form method="post" action="/signin"><p><b>开发身份</b>（仅限本机开发环境 <code>npm start</code>）：</p>${Object.entries(devIdentities)
          .map(([key, d]) => `<button type="submit" name="identity" value="${key}">以${escape(d.label)}登录</button>`)
          .join('')}</form>`
      : '';
    const others = uiOrigins(request).length === 0 ? '<p class="error">注意：CODEC_CORS_ORIGINS 中没有与本服务同一主机的 Temporal 界面，浏览器不会把登录凭据发给解码服务。</p>' : '';
    return page(
      '登录',
      `<h1>登录：在 Temporal 界面中查看案件内容</h1>
<p>Temporal 中的申请、案件状态、查询结果和活动数据都已加密。监督部门和组织部门登录后，Temporal 界面通过本服务的解码接口（<code>/codec</code>）显示这些内容；未登录时只能看到不含个人信息的阶段、等待方、期限和当前详情。</p>
${message}${others}${dev}
<form method="post" action="/signin"><p><label for="token"><b>持有者令牌</b>（监督部门或组织部门的令牌）：</label></p>
<textarea id="token" name="token" rows="4" autocomplete="off" spellcheck="false"></textarea><p><button type="submit">登录</button></p></form>
<form method="post" action="/signout"><button type="submit">退出登录</button></form>`,
    );
  };

  // `same-origin` instead of helmet's `no-referrer`: with no-referrer the browser posts the form with `Origin: null`.
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'same-origin').send(body);

  const signedIn = (request: FastifyRequest, actor: Actor, exp: number, bodyName: string | undefined) => {
    const o = { codecEndpoint: `${ownOrigin(request)}/codec`, namespace: config.temporalNamespace };
    const links = uiOrigins(request)
      .map((u) => `<a href="${escape(u)}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows">${escape(u)}</a>`)
      .join('、');
    return page(
      '已登录',
      `<h1>已登录</h1>
<p class="ok">已登录：${escape(roleLabels[actor.role])}${bodyName ? ` ${escape(bodyName)}` : ''}${actor.unit ? ` ${escape(actor.unit)}` : ''}（${escape(actor.sub)}），有效至 ${beijingTime(new Date(exp * 1000))}（北京时间）。</p>
<p>第一次在这个浏览器中使用时，把下面的链接拖到书签栏，打开 Temporal 界面（${links || '—'}）后点击一次这个书签：</p>
<p><a class="bookmarklet" href="${escape(uiSetupBookmarklet(o))}">设置 Temporal 界面</a></p>
<p>它在 Temporal 界面中设置：解码时发送登录凭据（解码接口 <code>${escape(o.codecEndpoint)}</code>）；案件列表的列（阶段、等待方、最近期限、是否逾期、单位）；视图 ${caseViews.map((v) => `“${escape(v.name)}”`).join('、')}；按北京时间显示时间。也可以在 Temporal 界面的开发者工具控制台中运行：</p>
<details><summary>设置脚本</summary><pre>${escape(uiSetupScript(o))}</pre></details>
<form method="post" action="/signout"><button type="submit">退出登录</button></form>`,
    );
  };

  app.get('/signin', { schema: { hide: true } }, async (request, reply) => html(reply, 200, form(request)));

  app.post('/signin', { schema: { hide: true, body: signinBody }, bodyLimit: FORM_BODY_LIMIT }, async (request, reply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== ownOrigin(request)) return html(reply, 403, form(request, '<p class="error">只能在本页登录。</p>'));
    const { token, identity } = request.body;
    let actor: Actor;
    let session: string;
    if (identity !== undefined) {
      if (!config.signinDevIdentities) return html(reply, 403, form(request, '<p class="error">本服务未启用开发身份（SIGNIN_DEV_IDENTITIES）。</p>'));
      actor = devIdentities[identity].actor;
      session = await signToken(config, actor, `${Math.min(DEV_SESSION_SECONDS, config.jwtMaxLifetimeSeconds)}s`);
    } else {
      session = (token ?? '').trim().replace(/^bearer +/i, '');
      try {
        actor = await verify(session);
      } catch (err) {
        request.log.info({ reason: (err as Error).message }, 'sign-in token rejected');
        const why = err instanceof TokenError && err.detail ? err.detail.zh : '';
        return html(reply, 401, form(request, `<p class="error">令牌无效或已过期。${escape(why)}</p>`));
      }
    }
    if (!(sessionRoles as readonly string[]).includes(actor.role)) {
      return html(reply, 403, form(request, `<p class="error">${escape(roleLabels[actor.role])}无需登录：只有监督部门和组织部门可以在 Temporal 界面中查看案件内容。</p>`));
    }
    const exp = jose.decodeJwt(session).exp as number;
    request.log.info({ sub: actor.sub, role: actor.role, dev: identity !== undefined }, 'signed in for the Temporal UI');
    reply.header('set-cookie', sessionCookie(session, exp - Math.floor(Date.now() / 1000), { secure: secure(request) }));
    const body = actor.unit ? (await app.registry.current()).body(actor.unit) : undefined;
    return html(reply, 200, signedIn(request, actor, exp, body?.name));
  });

  app.post('/signout', { schema: { hide: true }, bodyLimit: FORM_BODY_LIMIT }, async (request, reply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== ownOrigin(request)) return html(reply, 403, form(request, '<p class="error">只能在本页退出登录。</p>'));
    reply.header('set-cookie', clearedSessionCookie({ secure: secure(request) }));
    return html(reply, 200, page('已退出', '<h1>已退出登录</h1><p>Temporal 界面不再解码案件内容。<a href="/signin">重新登录</a></p>'));
  });
};

export default signinRoutes;
