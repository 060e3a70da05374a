import type { Repositories } from '../../db/repositories';
import { mayAccessProject } from '../../domain/access';
import type { PrearchiveOperation } from '../../domain/prearchive-status';
import { requireProjectAccess, SIGNED_IN } from '../access';
import { prearchiveDetails, prearchiveRow } from '../prearchive-view';
import { HttpError, type Router } from '../router';
import { html, type SafeHtml } from './html';
import { page, sendPage } from './layout';
import { writableProjects } from './writable-projects';

type Row = ReturnType<typeof prearchiveRow>;

/** The action buttons a session's status allows (the same rule the API enforces), for one row or the details. */
function actions(row: Row, projects: string[], withOverwrite: boolean): SafeHtml {
  const can = (op: PrearchiveOperation) => row.allowed.includes(op);
  const id = row.id;
  const others = projects.filter((p) => p !== row.project);
  // A RECEIVING row is replaced by the built session (its own row), so the list is the page to show afterwards.
  const rebuiltPage = row.status === 'RECEIVING' ? '/ui/prearchive' : 'reload';
  return html`${can('commit')
    ? withOverwrite
      ? html`<select id="overwrite-${id}" name="overwrite"><option value="none">overwrite: none</option><option value="append">overwrite: append</option><option value="delete">overwrite: delete</option></select>
<button data-method="POST" data-path="/api/prearchive/${id}/commit?wait=true" data-query="overwrite-${id}" data-then="/ui/prearchive">Archive</button>`
      : html`<button data-method="POST" data-path="/api/prearchive/${id}/commit?wait=true" data-then="reload">Archive</button>`
    : ''}
${can('move') && others.length
  ? html`<select id="move-${id}" name="project">${others.map((p) => html`<option value="${p}">${p}</option>`)}</select>
<button data-method="POST" data-path="/api/prearchive/${id}/move?wait=true" data-query="move-${id}" data-then="reload">Change project</button>`
  : ''}
${can('rebuild') ? html`<button data-method="POST" data-path="/api/prearchive/${id}/rebuild?wait=true" data-then="${rebuiltPage}">Rebuild</button>` : ''}
${can('delete') ? html`<button data-method="DELETE" data-path="/api/prearchive/${id}?wait=true" data-confirm="Delete this session and its files?" data-then="/ui/prearchive">Delete</button>` : ''}`;
}

/** The prearchive pages: the sortable list with the actions each status allows, and one session's details. */
export function registerPrearchivePages(router: Router, deps: { repos: Repositories }): void {
  const { repos } = deps;

  router.on('GET', '/ui/prearchive', SIGNED_IN, async ({ res, principal }) => {
    const rows = (await repos.prearchive.list()).filter((p) => mayAccessProject(principal, p.projectId ?? 'Unassigned', 'read')).map(prearchiveRow);
    const projects = await writableProjects(repos, principal);
    sendPage(res, page('Prearchive', principal, html`
<p class="muted">Sessions waiting for review. The site script has run on them; the project script runs when they are archived.</p>
<table class="sortable" id="prearchive"><thead><tr><th>Project</th><th>Subject</th><th>Session</th><th>Uploaded</th><th>Status</th><th>Actions</th></tr></thead><tbody>
${rows.map((r) => html`<tr data-id="${r.id}"><td>${r.project}</td><td>${r.subject ?? ''}</td><td><a href="/ui/prearchive/${r.id}">${r.name}</a></td><td>${r.uploaded}</td>
<td class="status">${r.status}</td><td>${mayAccessProject(principal, r.project, 'write') ? actions(r, projects, false) : ''}</td></tr>`)}
</tbody></table>${rows.length ? '' : html`<p class="muted">The prearchive is empty.</p>`}`));
  });

  router.on('GET', '/ui/prearchive/:id', SIGNED_IN, async ({ res, params, principal }) => {
    const pre = await repos.prearchive.get(params.id);
    if (!pre) throw new HttpError(404, `prearchive session ${params.id} does not exist (archived or deleted?)`);
    requireProjectAccess(principal, pre.projectId ?? 'Unassigned', 'read');
    const d = await prearchiveDetails(repos, pre);
    const canWrite = mayAccessProject(principal, d.project, 'write');
    sendPage(res, page(`Prearchive session ${d.name}`, principal, html`
<p>Project ${d.project} · subject ${d.subject ?? ''} · status <span class="status">${d.status}</span> · uploaded ${d.uploaded}</p>
${d.reason ? html`<div class="msg err" id="reason">${d.reason}</div>` : ''}
<h2>Scans</h2>
<table class="sortable" id="scans"><thead><tr><th>Scan</th><th>Files</th></tr></thead><tbody>${d.scans.map((s) => html`<tr><td>${s.scan}</td><td>${s.files}</td></tr>`)}</tbody></table>
<h2>Anonymization</h2>
<table id="passes"><tbody>
<tr><th>Site script</th><td>${d.passes.site.skipped ? 'skipped (anonymized by the upload client)' : `${d.passes.site.files} of ${d.files} files, script ${d.passes.site.scriptIds.join(', ') || '-'}`}</td></tr>
<tr><th>Project script</th><td>runs when the session is archived${d.passes.project.files ? ` (${d.passes.project.files} files already done by an earlier attempt)` : ''}</td></tr>
</tbody></table>
<h2>Actions</h2>
<p>${canWrite ? actions(d, await writableProjects(repos, principal), true) : html`<span class="muted">read only</span>`}</p>`));
  });
}
