// The app's routes in the HTML report, for apps that serve SQL (the workload app): what each
// route ran, per version, its share of the traffic and its params; and what the app noted (e.g.
// which tables a derived workload loads, and what it left out and why).
import type { VariantResult } from '../model/schema.ts';
import { escapeHtml as e } from './html-escape.ts';

export const renderAppRoutes = (v: VariantResult): string => {
  const routes = v.app?.routes ?? [];
  const notes = v.app?.notes ?? [];
  if (!routes.length && !notes.length) return '';
  const versions = [...new Set(routes.flatMap((r) => Object.keys(r.sql)))];
  const sqlCell = (sql: Record<string, string[] | null>) =>
    versions.map((ver) => {
      const s = sql[ver];
      const label = versions.length > 1 ? `<span class="muted">${e(ver)}:</span> ` : '';
      return `<div>${label}${s ? `<code>${e(s.join(';\n'))}</code>` : '<span class="muted">not served</span>'}</div>`;
    }).join('');
  const rows = routes.map((r) => `<tr><td>${e(r.name)}</td><td class="num">${e(`${(r.weight * 100).toFixed(1)} %`)}</td><td>${sqlCell(r.sql)}</td><td>${e(r.params.join(', ') || '—')}</td></tr>`).join('');
  return `<h3>App routes (${routes.length})</h3>
<details><summary>What each route runs</summary>
<table class="routes"><thead><tr><th>route</th><th class="num">share</th><th>SQL</th><th>params</th></tr></thead><tbody>${rows}</tbody></table>
${notes.length ? `<ul class="app-notes">${notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''}
</details>`;
};
