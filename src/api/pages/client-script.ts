/**
 * The pages' only script, served as /ui/app.js. Declarative: a button says what to call
 * (data-method, data-path, optional data-body = id of a field whose value is sent or data-text = a literal body,
 * data-query = id of a field sent as ?name=value, data-confirm, data-then =
 * "reload" | "show" | a URL to go to; data-form = id of a form sent as multipart FormData, plus data-script = id of a
 * textarea sent in it as "script"; data-json = id of a block whose named fields are sent as one JSON object (a dotted
 * name nests; data-kind list | lines | number); data-target = id of a table that shows a script preview's changes).
 * Tables with class "sortable" sort by a click on a column header.
 * It calls the same endpoints as the CLI, so the pages can do nothing the API does not allow.
 */
export const CLIENT_SCRIPT = `
'use strict';
function say(text, ok) {
  const box = document.getElementById('message');
  box.className = 'msg ' + (ok ? 'ok' : 'err');
  box.textContent = text;
}
// The session's CSRF token (a cookie the server set at sign-in; SameSite=Strict) goes with every call in X-CSRF-Token.
function csrfToken() {
  const m = /(?:^|;\\s*)dicom_intake_csrf=([^;]*)/.exec(document.cookie);
  return m ? m[1] : '';
}

// The named fields of a block as one JSON object: "routing.project" nests, a checkbox is true/false, data-kind
// "list" splits on commas and spaces, "lines" on line ends, "number" is a number; an empty text field is left out.
function formJson(block) {
  const out = {};
  block.querySelectorAll('[name]').forEach((el) => {
    let v;
    const kind = el.dataset.kind;
    if (el.type === 'checkbox') v = el.checked;
    else if (kind === 'list') v = el.value.split(/[\\s,]+/).filter(Boolean);
    else if (kind === 'lines') v = el.value.split('\\n').map((s) => s.trim()).filter(Boolean);
    else if (el.value.trim() === '') return;
    else v = kind === 'number' ? Number(el.value) : el.value.trim();
    const path = el.name.split('.');
    let o = out;
    while (path.length > 1) { const k = path.shift(); o = o[k] = o[k] || {}; }
    o[path[0]] = v;
  });
  return out;
}
async function call(button) {
  const d = button.dataset;
  if (d.confirm && !window.confirm(d.confirm)) return;
  // {id} in a path (or in data-then) stands for the value of the field with that id (e.g. a new label).
  const fill = (text) => text.replace(/\\{([\\w-]+)\\}/g, (_, id) => encodeURIComponent(document.getElementById(id).value));
  let path = fill(d.path);
  if (d.query) {
    const field = document.getElementById(d.query);
    path += (path.includes('?') ? '&' : '?') + field.name + '=' + encodeURIComponent(field.value);
  }
  // data-file: the chosen file itself is the body (an upload of a zip, tar or tar.gz).
  const file = d.file ? document.getElementById(d.file).files[0] : undefined;
  if (d.file && !file) { say('choose a file first', false); return; }
  let body = file || (d.json ? JSON.stringify(formJson(document.getElementById(d.json))) : d.body ? document.getElementById(d.body).value : d.text);
  if (d.form) {
    body = new FormData(document.getElementById(d.form));
    if (d.script) body.set('script', document.getElementById(d.script).value);
  }
  button.disabled = true;
  try {
    const headers = { 'x-csrf-token': csrfToken() };
    // A FormData body sets its own multipart content type (with the boundary).
    if (body !== undefined && !d.form) headers['content-type'] = file ? 'application/octet-stream' : d.json ? 'application/json' : d.type || 'text/plain';
    const res = await fetch(path, { method: d.method, body, credentials: 'same-origin', headers });
    // The sign-in ended (signed out elsewhere, expired, idle): sign in again and come back here.
    if (res.status === 401) { location.href = '/ui/login?next=' + encodeURIComponent(location.pathname + location.search); return; }
    const text = await res.text();
    let shown = text;
    let fine = res.ok;
    try {
      const j = JSON.parse(text);
      if (Array.isArray(j.changes) && d.target) {
        showChanges(document.getElementById(d.target), j.changes);
        shown = j.rejected ? 'the script rejects this file (reject[]): it would not be stored' : j.changes.length + ' element(s) would change; nothing was written';
      } else if (Array.isArray(j.diagnostics)) {
        // A script check: one line per finding, with its line and column.
        fine = j.ok;
        shown = j.diagnostics.length
          ? j.diagnostics.map((x) => x.severity + ' at line ' + x.line + ', column ' + x.column + ': ' + x.message).join('\\n')
          : 'the script is valid';
      } else shown = j.error || JSON.stringify(j, null, 2);
    } catch (e) { /* plain text */ }
    if (!res.ok) { say('HTTP ' + res.status + ': ' + shown, false); return; }
    if (!fine) { say(shown, false); return; }
    if (d.then === 'reload') { sessionStorage.setItem('dicom-intake-message', button.textContent.trim() + ': done'); location.reload(); }
    else if (d.then && d.then !== 'show') location.href = fill(d.then);
    else say(shown || 'done', true);
  } catch (e) {
    say('the request failed: ' + e.message, false);
  } finally {
    button.disabled = false;
  }
}
// A script preview: one row per changed element (path, what happened, value before, value after), as text only.
function showChanges(table, changes) {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  ['Tag path', 'VR', 'Change', 'Before', 'After'].forEach((h) => { const th = document.createElement('th'); th.textContent = h; head.appendChild(th); });
  const rows = table.createTBody();
  changes.forEach((c) => {
    const tr = rows.insertRow();
    [c.path, c.vr, c.kind, c.before === undefined ? '' : c.before, c.after === undefined ? '' : c.after].forEach((v) => { tr.insertCell().textContent = v; });
  });
}
function sortBy(th) {
  const table = th.closest('table');
  const index = Array.prototype.indexOf.call(th.parentNode.children, th);
  const down = th.dataset.sorted !== 'asc';
  const rows = Array.from(table.tBodies[0].rows);
  rows.sort((a, b) => {
    const x = a.cells[index].textContent.trim(), y = b.cells[index].textContent.trim();
    const n = Number(x) - Number(y);
    const c = isNaN(n) ? x.localeCompare(y) : n;
    return down ? c : -c;
  });
  rows.forEach((r) => table.tBodies[0].appendChild(r));
  table.querySelectorAll('th').forEach((h) => delete h.dataset.sorted);
  th.dataset.sorted = down ? 'asc' : 'desc';
}
document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-method]');
  if (button) { event.preventDefault(); call(button); return; }
  const th = event.target.closest('table.sortable th');
  if (th) sortBy(th);
});
document.addEventListener('DOMContentLoaded', () => {
  const m = sessionStorage.getItem('dicom-intake-message');
  if (m) { sessionStorage.removeItem('dicom-intake-message'); say(m, true); }
});
`;
