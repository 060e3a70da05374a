import type { ReceiverListing } from '../../db/receivers-repo';
import type { RoutingRuleLines } from '../../db/site-routing-repo';
import { html, type SafeHtml } from './html';

/**
 * One receiver's form: every setting as a field whose name is its JSON key (app.js's data-json turns the fields into
 * the JSON object the receiver API takes; data-kind says how: list = comma or space separated, lines = one per line,
 * number). `r` absent: the empty form of a new receiver.
 */
function receiverForm(id: string, r: ReceiverListing | undefined): SafeHtml {
  const field = (label: string, input: SafeHtml) => html`<label>${label} ${input}</label> `;
  return html`<div id="${id}" class="receiver-form">
${field('AE title', html`<input name="aeTitle" value="${r?.aeTitle ?? ''}" placeholder="AE_TITLE" maxlength="16">`)}
${field('port', html`<input name="port" data-kind="number" value="${r?.port ?? ''}" placeholder="11113" size="6">`)}
${field('address', html`<input name="host" value="${r?.host ?? '127.0.0.1'}" size="12">`)}
${field('destination', html`<select name="destination">${['archive', 'prearchive'].map((d) => html`<option value="${d}" ${r?.destination === d ? html`selected` : ''}>${d}</option>`)}</select>`)}
${field('allowed calling AE titles', html`<input name="allowedCallingAeTitles" data-kind="list" value="${r?.allowedCallingAeTitles.join(', ') ?? ''}" placeholder="CT1, PACS">`)}
${field('idle seconds', html`<input name="sessionIdleSeconds" data-kind="number" value="${r?.sessionIdleSeconds ?? ''}" placeholder="site default" size="6">`)}
${field('anonymize', html`<input type="checkbox" name="anonymizationEnabled" ${r && !r.anonymizationEnabled ? '' : html`checked`}>`)}
${field('enabled', html`<input type="checkbox" name="enabled" ${r && !r.enabled ? '' : html`checked`}>`)}
<br>${(['project', 'subject', 'session'] as const).map((k) => field(`${k} rules`, html`<textarea name="routing.${k}" data-kind="lines" rows="2" placeholder="(0008,0050):^RT-(.*)">${r?.routing[k].join('\n') ?? ''}</textarea>`))}
</div>`;
}

/**
 * The receivers section of the site settings page: the list, an edit form per receiver (saved with PUT, applied at
 * once by the service) with a remove button, and an add form.
 */
export function receiversSection(receivers: ReceiverListing[]): SafeHtml {
  return html`<h2>DICOM receivers</h2>
<p class="muted">Saved in the database and applied at once, without a restart: a new port or AE title rebinds, a removed receiver stops answering, an association already open finishes. temporal-dev.yaml only seeds them at the first start. Routing rules are tried after the request's labels. An empty allow-list lets nobody in.</p>
<table class="sortable" id="receivers"><thead><tr><th>AE title</th><th>Address</th><th>State</th><th>Destination</th><th>Anonymize</th><th>Allowed callers</th><th>Routing rules</th></tr></thead><tbody>
${receivers.map((r) => html`<tr><td>${r.aeTitle}</td><td>${r.host}:${r.port}</td><td>${r.enabled ? 'enabled' : 'disabled'}</td><td>${r.destination}</td><td>${r.anonymizationEnabled ? 'yes' : 'no'}</td><td>${r.allowedCallingAeTitles.join(', ') || 'nobody'}</td>
<td>${[...r.routing.project.map((x) => `project ${x}`), ...r.routing.subject.map((x) => `subject ${x}`), ...r.routing.session.map((x) => `session ${x}`)].join('; ') || 'none'}</td></tr>`)}
</tbody></table>
${receivers.map((r) => html`<details id="edit-${r.id}"><summary>Edit ${r.aeTitle} (${r.id})</summary>
${receiverForm(`rx-${r.id}`, r)}
<div><button data-method="PUT" data-path="/api/receivers/${r.id}" data-json="rx-${r.id}" data-then="reload">Save ${r.aeTitle}</button>
<button data-method="DELETE" data-path="/api/receivers/${r.id}" data-confirm="Remove receiver ${r.aeTitle}? Its port stops answering." data-then="reload">Remove ${r.aeTitle}</button></div></details>`)}
<h3>Add a receiver</h3>
${receiverForm('rx-new', undefined)}
<div><button data-method="POST" data-path="/api/receivers" data-json="rx-new" data-then="reload">Add receiver</button></div>`;
}

/**
 * The site routing rules of the site settings page (XNAT's project/subject/session rules): one rule per line, saved
 * with PUT /api/routing and used by the next identification, after the request's labels and a receiver's rules.
 */
export function siteRoutingSection(rules: RoutingRuleLines): SafeHtml {
  return html`<h2>Site routing rules</h2>
<p class="muted">One rule per line, <code>(gggg,eeee):regex[:group][ t:x r:y]</code>; the first rule whose value names a project wins. Tried after the request's labels and the receiver's own rules, before the header fields. Saved in the database and used at once; until the first save the configuration's rules (dicom.routing.*) apply.</p>
<div id="site-routing">
${(['project', 'subject', 'session'] as const).map((k) => html`<label>${k} rules <textarea name="${k}" data-kind="lines" rows="3" cols="48" placeholder="(0008,0050):^RT-(.*)">${rules[k].join('\n')}</textarea></label> `)}
</div>
<div><button data-method="PUT" data-path="/api/routing" data-json="site-routing" data-then="reload">Save routing rules</button></div>`;
}
