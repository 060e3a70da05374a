import type { StoredProfileSetting } from '../../db/profile-settings-repo';
import { html, type SafeHtml } from './html';

/**
 * The PS3.15 profile section of the project and site settings pages: the setting in effect and, for those who may
 * change it, a form saved with PATCH (src/api/profile-routes.ts): the option list, the pixel-cleaning rules (shown
 * for editing) and a new Encrypted Attributes recipient. The recipient in effect is never shown (a KEK is a secret
 * key): an empty recipient field keeps it, the checkbox removes it.
 */
export function profileSection(id: string, path: string, setting: StoredProfileSetting | undefined, canConfigure: boolean, appliedBefore: string): SafeHtml {
  const summary = setting?.options
    ? html`<code>${setting.options}</code> <span class="muted">(version ${setting.version}${setting.pixelRules ? ', pixel-cleaning rules' : ''}${setting.encryptTo ? ', encrypted attributes' : ''}; applied before ${appliedBefore})</span>`
    : html`<span class="muted">none</span>`;
  if (!canConfigure) return html`<h2>PS3.15 profile</h2>\n<p>${summary}</p>`;
  return html`<h2>PS3.15 profile</h2>
<p>${summary}</p>
<div id="${id}" class="profile-form">
<p><label>Options <input name="options" size="70" value="${setting?.options || 'none'}" placeholder="basic,retain-uids,clean-descriptors"></label>
<span class="muted">basic and options as in <code>dicom-intake anonymize --profile</code> (docs/profile.md), or none</span></p>
<p><label>Pixel-cleaning rules (JSON; with clean-pixel-data only)<br><textarea name="pixelRules" rows="4" cols="90" placeholder='{"rules": [{"when": {"Modality": "US"}, "rectangles": [{"left": 0, "top": 0, "right": 640, "bottom": 60}]}]}'>${setting?.pixelRules ?? ''}</textarea></label></p>
<p><label>New Encrypted Attributes recipient (an RSA certificate in PEM, or kek:KEYID_HEX:AES_KEY_HEX)<br><textarea name="encryptTo" rows="3" cols="90" placeholder="${setting?.encryptTo ? 'empty: keep the current recipient' : 'empty: none'}"></textarea></label>
${setting?.encryptTo ? html`<label><input type="checkbox" name="removeEncryptTo"> remove the current recipient</label>` : ''}</p>
<p><button data-method="PATCH" data-path="${path}" data-json="${id}" data-then="reload">Save profile</button></p>
</div>`;
}
