import type { ServerResponse } from 'node:http';
import type { ArchivedSession } from '../../db/archive-repo';
import type { Repositories } from '../../db/repositories';
import { mayAccessProject, type Principal } from '../../domain/access';
import { onProject, PUBLIC, SIGNED_IN, SITE_ADMIN } from '../access';
import { HttpError, type Router } from '../router';
import { sessionProvenance } from '../session-provenance';
import { CLIENT_SCRIPT } from './client-script';
import type { RoutingRuleLines } from '../../db/site-routing-repo';
import { receiversSection, siteRoutingSection } from './receiver-forms';
import { html, type SafeHtml } from './html';
import { page, sendPage } from './layout';
import { registerPrearchivePages } from './prearchive-pages';
import { registerSignInPages } from './sign-in-pages';
import type { WebSessionSettings } from '../../auth/web-session';
import { writableProjects } from './writable-projects';
import { profileSection } from './profile-form';

/** What the pages need beyond the repositories: where the Temporal Web UI is, to link runs to it. */
export interface PageDeps {
  repos: Repositories;
  /** e.g. http://127.0.0.1:8233/namespaces/default; runs are linked when set. */
  temporalUiUrl?: string;
  /** Sign-in sessions (config `web.*`). */
  web?: WebSessionSettings;
  /** The configuration's site routing rules, shown until a site admin saves others. */
  siteRouting?: RoutingRuleLines;
}

const ARCHIVE_SETTINGS: Record<number, string> = { 0: '0: keep in the prearchive for review', 4: '4: archive automatically', 5: '5: archive automatically, overwriting' };

const send = (res: ServerResponse, status: number, body: string, type?: string) => sendPage(res, body, status, type);

/** Sessions offered as preview input: id and a readable name (project / subject / session labels). */
type PreviewSession = { id: string; name: string };

/** A script editor: the text, Check (engine validation without data), Save, Enable/Disable, Preview on one file. */
function scriptEditor(id: string, text: string, savePath: string, enabled: boolean | null, toggle: (on: boolean) => { path: string; text?: string }, preview: { project?: string; sessions: PreviewSession[] }): SafeHtml {
  const t = toggle(!enabled);
  return html`<textarea id="${id}" spellcheck="false">${text}</textarea>
<div><button data-method="POST" data-path="/api/scripts/check" data-body="${id}" data-then="show">Check</button>
<button data-method="PUT" data-path="${savePath}" data-body="${id}" data-then="reload">Save</button>
${enabled === null ? '' : html`<span class="muted">anonymization is <span class="status">${enabled ? 'on' : 'off'}</span></span>
<button data-method="PUT" data-path="${t.path}" ${t.text === undefined ? '' : html`data-text="${t.text}"`} data-then="reload">${enabled ? 'Turn off' : 'Turn on'}</button>`}</div>
<h3>Preview</h3>
<p class="muted">Runs the script above (saved or not) on one file in memory and lists every element it would change; nothing is written.</p>
<form id="${id}-preview" class="preview">${preview.project ? html`<input type="hidden" name="project" value="${preview.project}">` : ''}
<p><label>a DICOM file <input type="file" name="file" id="${id}-preview-file"></label>
<input name="subject" placeholder="subject label (optional)"> <input name="session-label" placeholder="session label (optional)"></p>
${preview.sessions.length ? html`<p><label>or the first file of an archived session <select name="session" id="${id}-preview-session"><option value="">(choose)</option>
${preview.sessions.map((x) => html`<option value="${x.id}">${x.name}</option>`)}</select></label></p>` : ''}</form>
<button data-method="POST" data-path="/api/scripts/preview" data-form="${id}-preview" data-script="${id}" data-target="${id}-changes" data-then="show">Preview</button>
<table id="${id}-changes" class="changes"></table>`;
}

// Preview offers at most this many sessions in its list (the upload works for any file).
const PREVIEW_SESSIONS = 200;

/** The archived sessions a preview may read, out of `sessions` (already read by the page). */
function previewSessions(sessions: readonly ArchivedSession[], principal: Principal): PreviewSession[] {
  return sessions
    .filter((x) => mayAccessProject(principal, x.projectId, 'read'))
    .slice(0, PREVIEW_SESSIONS)
    .map((x) => ({ id: x.id, name: `${x.projectId} / ${x.subjectLabel} / ${x.label}` }));
}

/** The web pages: projects, project settings, a session with its passes and audit trail, site settings. */
export function registerPageRoutes(router: Router, deps: PageDeps): void {
  const { repos } = deps;
  const runLink = (workflowId: string | null | undefined) =>
    !workflowId ? '' : deps.temporalUiUrl ? html`<a href="${deps.temporalUiUrl}/workflows/${encodeURIComponent(workflowId)}" target="_blank" rel="noopener">${workflowId}</a>` : html`<code>${workflowId}</code>`;

  registerSignInPages(router, deps);
  registerPrearchivePages(router, deps);
  router.on('GET', '/ui/app.js', PUBLIC, async ({ res }) => send(res, 200, CLIENT_SCRIPT, 'text/javascript; charset=utf-8'));
  router.on('GET', '/ui', SIGNED_IN, async ({ res }) => {
    res.writeHead(302, { location: '/ui/projects' }).end();
  });

  router.on('GET', '/ui/projects', SIGNED_IN, async ({ res, principal }) => {
    const projects = (await repos.projects.list()).filter((p) => mayAccessProject(principal, p.id, 'read'));
    const rows = await Promise.all(
      projects.map(async (p) => {
        const script = await repos.scripts.current('project', p.id);
        const sessions = await repos.archive.sessions(p.id);
        return html`<tr><td><a href="/ui/projects/${p.id}">${p.id}</a></td><td>${p.name ?? ''}</td><td>${ARCHIVE_SETTINGS[p.prearchiveCode] ?? p.prearchiveCode}</td>
<td>${script ? `v${script.version}, ${script.enabled ? 'on' : 'off'}` : 'none'}</td><td>${sessions.length}</td><td>${principal.roles[p.id] ?? (principal.siteAdmin ? 'site admin' : '')}</td></tr>`;
      }),
    );
    send(res, 200, page('Projects', principal, html`
<table class="sortable" id="projects"><thead><tr><th>Project</th><th>Name</th><th>Archive setting</th><th>Project script</th><th>Sessions</th><th>Your role</th></tr></thead>
<tbody>${rows}</tbody></table>
${rows.length ? '' : html`<p class="muted">No projects you can see yet.</p>`}
<h2>New project</h2>
<p><input id="new-project" placeholder="PROJECT_ID" pattern="[A-Za-z0-9_-]{1,64}"> <button data-method="PUT" data-path="/data/projects/{new-project}" data-then="reload">Create</button>
<span class="muted">you become its owner</span></p>`));
  });

  router.on('GET', '/ui/projects/:p', onProject('p', 'read'), async ({ res, params, principal }) => {
    const project = await repos.projects.get(params.p);
    if (!project) throw new HttpError(404, `project ${params.p} does not exist`);
    const canConfigure = mayAccessProject(principal, project.id, 'configure');
    const canWrite = mayAccessProject(principal, project.id, 'write');
    const script = await repos.scripts.current('project', project.id);
    const profile = await repos.profiles.current('project', project.id);
    const sessions = await repos.archive.sessions(project.id);
    const members = await repos.users.members(project.id);
    const options = Object.entries(ARCHIVE_SETTINGS).map(([code, label]) => html`<option value="${code}" ${Number(code) === project.prearchiveCode ? html`selected` : ''}>${label}</option>`);
    send(res, 200, page(`Project ${project.id}`, principal, html`
${canWrite ? html`<h2>Upload</h2>
<p class="muted">A zip, tar or tar.gz of DICOM files. The site script runs on every file; the project script when the session enters the archive. Blank labels come from the headers (after the site script).</p>
<p><input type="file" id="up-file" accept=".zip,.tar,.tgz,.gz,application/zip,application/x-tar,application/gzip">
<input id="up-subject" placeholder="subject label (optional)"> <input id="up-session" placeholder="session label (optional)">
<select id="up-dest"><option value="/archive/projects/${project.id}">into the archive</option><option value="/prearchive/projects/${project.id}">into the prearchive</option></select>
<button data-method="POST" data-file="up-file" data-path="/data/services/import?import-handler=DICOM-zip&amp;inbody=true&amp;dest={up-dest}&amp;SUBJECT_ID={up-subject}&amp;EXPT_LABEL={up-session}" data-then="show">Upload</button></p>` : ''}
<h2>Archive setting</h2>
<p><select id="archive-setting" name="prearchive_code" ${canConfigure ? '' : html`disabled`}>${options}</select>
${canConfigure ? html`<button data-method="PUT" data-path="/data/projects/${project.id}" data-query="archive-setting" data-then="reload">Save setting</button>` : ''}</p>
${profileSection('project-profile', `/api/projects/${project.id}/profile`, profile, canConfigure, 'the project script, when a session enters the archive')}
<h2>Project anonymization script ${script ? html`<span class="muted">(version ${script.version})</span>` : ''}</h2>
${canConfigure
  ? scriptEditor('project-script', script?.text ?? 'version "6.1"\n', `/data/config/edit/projects/${project.id}/image/dicom/script`, script ? script.enabled : null, (on) => ({ path: `/data/config/edit/projects/${project.id}/image/dicom/status?activate=${on}` }), { project: project.id, sessions: previewSessions(sessions, principal) })
  : html`<pre>${script?.text ?? 'none'}</pre>`}
<h2>Archived sessions</h2>
<table class="sortable"><thead><tr><th>Subject</th><th>Session</th></tr></thead><tbody>
${sessions.map((s) => html`<tr><td>${s.subjectLabel}</td><td><a href="/ui/projects/${project.id}/subjects/${s.subjectLabel}/experiments/${s.label}">${s.label}</a></td></tr>`)}
</tbody></table>
<h2>Members</h2>
<table><thead><tr><th>User</th><th>Role</th></tr></thead><tbody>${members.map((m) => html`<tr><td>${m.login}</td><td>${m.role}</td></tr>`)}</tbody></table>`));
  });

  router.on('GET', '/ui/projects/:p/subjects/:s/experiments/:e', onProject('p', 'read'), async ({ res, params, principal }) => {
    const session = await repos.archive.sessionByLabel(params.p, params.e);
    if (!session || session.subjectLabel !== params.s) throw new HttpError(404, `session ${params.e} of subject ${params.s} is not in project ${params.p}`);
    const files = await sessionProvenance(repos, session.id);
    const audit = await repos.audit.forSession(session.id);
    const scans = [...new Set(files.map((f) => f.scanLabel))];
    const canWrite = mayAccessProject(principal, session.projectId, 'write');
    const projects = (await writableProjects(repos, principal)).filter((p) => p !== session.projectId);
    const base = `/api/archive/projects/${session.projectId}`;
    const ui = (p: string, s: string, e: string) => `/ui/projects/${p}/subjects/${s}/experiments/${e}`;
    const pass = (p: (typeof files)[number]['site']) => {
      if (!p) return html`<span class="muted">not run</span>`;
      const profile = p.profileId === null ? '' : `profile setting ${p.profileId} v${p.profileVersion ?? '?'}${p.scriptId ? ' + ' : ''}`;
      return html`${profile}${p.scriptId ? `script ${p.scriptId} v${p.scriptVersion ?? '?'}` : ''}`;
    };
    send(res, 200, page(`Session ${session.label}`, principal, html`
<p>Project <a href="/ui/projects/${session.projectId}">${session.projectId}</a> · subject ${session.subjectLabel} · id <code>${session.id}</code></p>
<h2>Scans</h2>
<table class="sortable"><thead><tr><th>Scan</th><th>Files</th><th>Bytes</th></tr></thead><tbody>
${scans.map((scan) => {
  const of = files.filter((f) => f.scanLabel === scan);
  return html`<tr><td>${scan}</td><td>${of.length}</td><td>${of.reduce((n, f) => n + f.size, 0)}</td></tr>`;
})}</tbody></table>
<h2>Files and the passes that made them</h2>
<table class="sortable" id="files"><thead><tr><th>Scan</th><th>File</th><th>Size</th><th>SHA-256</th><th>Site pass</th><th>Project pass</th></tr></thead><tbody>
${files.map((f) => html`<tr><td>${f.scanLabel}</td><td><code>${f.objectKey.split('/').pop()}</code></td><td>${f.size}</td><td><code>${f.contentSha256.slice(0, 16)}…</code></td><td>${pass(f.site)}</td><td>${pass(f.project)}${f.projectPasses > 1 ? ` (${f.projectPasses} runs: archive and edits)` : ''}</td></tr>`)}
</tbody></table>
${canWrite ? html`<h2>Edit</h2>
<p class="muted">Each edit re-runs the project script on every file with the new labels (unless the site turned that off); the site script never runs again.</p>
<table id="edits"><tbody>
<tr><th>Relabel this session</th><td><input id="edit-session" name="label" placeholder="new session label"> <button data-method="POST" data-path="${base}/sessions/${session.label}/relabel?wait=true" data-query="edit-session" data-then="${ui(session.projectId, session.subjectLabel, '{edit-session}')}">Relabel session</button></td></tr>
<tr><th>Relabel the subject</th><td><input id="edit-subject" name="label" placeholder="new subject label"> <button data-method="POST" data-path="${base}/subjects/${session.subjectLabel}/relabel?wait=true" data-query="edit-subject" data-then="${ui(session.projectId, '{edit-subject}', session.label)}">Relabel subject</button></td></tr>
<tr><th>Assign to another subject</th><td><input id="edit-reassign" name="subject" placeholder="subject label"> <button data-method="POST" data-path="${base}/sessions/${session.label}/reassign?wait=true" data-query="edit-reassign" data-then="${ui(session.projectId, '{edit-reassign}', session.label)}">Assign</button></td></tr>
${projects.length ? html`<tr><th>Move to another project</th><td><select id="edit-move" name="project">${projects.map((p) => html`<option value="${p}">${p}</option>`)}</select> <button data-method="POST" data-path="${base}/sessions/${session.label}/move?wait=true" data-query="edit-move" data-then="${ui('{edit-move}', session.subjectLabel, session.label)}">Move</button></td></tr>` : ''}
</tbody></table>` : ''}
<h2>Audit trail</h2>
<table class="sortable" id="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Run in the Temporal Web UI</th></tr></thead><tbody>
${audit.map((a) => html`<tr><td>${a.at}</td><td>${a.actor}</td><td>${a.action}</td><td>${runLink(a.workflowId)}</td></tr>`)}
</tbody></table>`));
  });

  router.on('GET', '/ui/site', SITE_ADMIN, async ({ res, principal }) => {
    const script = await repos.scripts.current('site', null);
    const users = await repos.users.list();
    const receivers = await repos.receivers.list();
    const routing = (await repos.siteRouting.inEffect(deps.siteRouting)).rules;
    send(res, 200, page('Site settings', principal, html`
<h2>Site-wide anonymization script ${script ? html`<span class="muted">(version ${script.version})</span>` : ''}</h2>
<p class="muted">Runs on every upload before anything else, unless the upload was anonymized by the upload client.</p>
${scriptEditor('site-script', script?.text ?? 'version "6.1"\n', '/xapi/anonymize/site', script ? script.enabled : null, (on) => ({ path: '/xapi/anonymize/site/enabled', text: String(on) }), { sessions: previewSessions(await repos.archive.sessions(), principal) })}
${profileSection('site-profile', '/api/profile/site', await repos.profiles.current('site', null), true, 'the site script, on every upload')}
${receiversSection(receivers)}
${siteRoutingSection(routing)}
<h2>Users</h2>
<table class="sortable"><thead><tr><th>Login</th><th>Site admin</th><th>Since</th></tr></thead><tbody>
${users.map((u) => html`<tr><td>${u.login}</td><td>${u.siteAdmin ? 'yes' : ''}</td><td>${u.createdAt}</td></tr>`)}</tbody></table>`));
  });
}
