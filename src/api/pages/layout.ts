import type { ServerResponse } from 'node:http';
import type { Principal } from '../../domain/access';
import { html, SafeHtml } from './html';

// Plain, fast pages: server-rendered HTML, one small stylesheet and one small script (client-script.ts) that
// calls the same JSON/XNAT endpoints as the CLI. The browser signs in at /ui/login (a session cookie).
/** The pages' one stylesheet (the sign-in page uses it too). */
export const PAGE_STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:center}
header a{color:#fff;text-decoration:none}header .who{margin-left:auto;opacity:.8}header button{margin:0}
main{padding:1em 1.2em;max-width:1200px}h1{font-size:1.4em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff;width:100%}th,td{border:1px solid #d8dde3;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#eef1f5;cursor:pointer;user-select:none}tr:hover td{background:#fafbfd}
textarea{width:100%;min-height:14em;font:13px/1.4 ui-monospace,monospace}
.receiver-form textarea{min-height:0;height:3.2em;width:32em;vertical-align:top}
.receiver-form label{display:inline-block;margin:.2em .6em .2em 0}
button{padding:.35em .9em;margin:.2em .3em .2em 0;cursor:pointer}
.msg{padding:.5em .8em;margin:.6em 0;border-radius:3px;white-space:pre-wrap}.ok{background:#e3f5e6}.err{background:#fde8e8}
.muted{color:#66707c}code{font-size:12px}.status{font-weight:600}
`;

/** A whole page: navigation, who is signed in, the body. */
export function page(title: string, principal: Principal, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · dicom-intake</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${new SafeHtml(PAGE_STYLE)}</style><script src="/ui/app.js" defer></script></head>
<body><header><strong>dicom-intake</strong>
<a href="/ui/projects">Projects</a><a href="/ui/prearchive">Prearchive</a>${principal.siteAdmin ? html`<a href="/ui/site">Site settings</a>` : ''}
<span class="who">signed in as <span id="who">${principal.login}</span>${principal.siteAdmin ? ' (site admin)' : ''}</span>
<button id="sign-out" data-method="POST" data-path="/ui/logout" data-then="/ui/login">Sign out</button></header>
<main><h1>${title}</h1><div id="message" role="status"></div>${body}</main></body></html>`.text;
}

/** Sends a rendered page, never cached (it shows live statuses) and never sniffed as another type. */
export function sendPage(res: ServerResponse, body: string, status = 200, type = 'text/html; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}
