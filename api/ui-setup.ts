/**
 * The Temporal UI's settings for supervisors, written into the UI's own browser storage. The UI
 * (v2.42, shipped with the Temporal CLI 1.5) keeps its per-user settings in localStorage of its
 * origin, each a JSON value under a fixed key:
 * - `endpoint`, `overrideRemoteCodecConfiguration`, `includeCredentials`, `passAccessToken`: the codec
 *   server. The dev server configures only the endpoint (there is no flag for credentials), so the
 *   override is needed to make the UI send the session cookie (`credentials: 'include'`);
 * - `namespace-workflow-table-columns`: `{ [namespace]: [{ label }] }`, the columns of the workflow
 *   list; a custom search attribute is a column labelled with its name;
 * - `saved-workflow-queries`: `{ [namespace]: [{ id, name, query, type: 'user' }] }`, the saved views;
 * - `timeFormat`: the time zone dates are shown in ('China Standard Time': Beijing time).
 * A page of another origin (the API) cannot write them, so the sign-in page hands the script over as
 * a bookmarklet to run once on the UI's page; the browser test runs the same script.
 */
import { searchAttributes as sa } from '../workflows/messages';

/** The ready filters of the workflow list. Ids are ours, so running the setup again replaces them. */
export const caseViews = [
  { id: 'rongcuo-overdue', name: '已逾期', query: `${sa.overdue.name} = true` },
  { id: 'rongcuo-ruling-review', name: '待认定审核', query: `${sa.stage.name} = 'rulingReview'` },
  { id: 'rongcuo-follow-up', name: '跟踪回访', query: `${sa.stage.name} = 'followUp'` },
] as const;

/** The workflow list's columns, in Chinese where people read them: where each case stands, which bodies it waits on, its next deadline, whether it is overdue, its unit. */
export const caseColumns = ['Status', 'Workflow ID', sa.stageName.name, sa.awaitingBodies.name, sa.nextDeadline.name, sa.overdue.name, sa.unitName.name, 'Start'] as const;

export interface UiSetupOptions {
  /** The API's codec endpoint, as the browser reaches it (…/codec). */
  codecEndpoint: string;
  namespace: string;
}

/** The script that writes the settings on the UI's page, then reloads it. Idempotent. */
export function uiSetupScript(o: UiSetupOptions): string {
  const data = JSON.stringify({ endpoint: o.codecEndpoint, ns: o.namespace, columns: caseColumns, views: caseViews });
  return `(function(){var d=${data},s=window.localStorage;function r(k){try{return JSON.parse(s.getItem(k)||'{}')||{}}catch(e){return {}}}function w(k,v){s.setItem(k,JSON.stringify(v))}w('endpoint',d.endpoint);w('overrideRemoteCodecConfiguration',true);w('includeCredentials',true);w('passAccessToken',false);w('timeFormat','China Standard Time');var c=r('namespace-workflow-table-columns');c[d.ns]=d.columns.map(function(l){return {label:l}});w('namespace-workflow-table-columns',c);var q=r('saved-workflow-queries'),ids=d.views.map(function(v){return v.id});q[d.ns]=(Array.isArray(q[d.ns])?q[d.ns]:[]).filter(function(v){return ids.indexOf(v.id)<0}).concat(d.views.map(function(v){return {id:v.id,name:v.name,query:v.query,type:'user'}}));w('saved-workflow-queries',q);window.location.reload()})();`;
}

/** The same script as a bookmarklet link. */
export function uiSetupBookmarklet(o: UiSetupOptions): string {
  return `javascript:${encodeURIComponent(uiSetupScript(o))}`;
}
