/**
 * A site's or project's profile setting, as the intake passes use it: the option list, the Clean Pixel Data rules
 * and the Encrypted Attributes recipient, checked together. The API validates with it before saving; the pass
 * activities compile the stored texts with it. Errors are ProfileErrors naming the part, never a value.
 */
import { parseRecipient, type CmsRecipient } from './cms-enveloped-data';
import { parsePixelCleaningRules, type PixelCleaningRules } from './pixel-cleaning';
import { ProfileError } from './profile-errors';
import { formatProfileSelection, parseProfileSelection } from './profile-selection';
import type { ProfileOptions } from './profile-options';

/** The setting's texts as stored. */
export interface ProfileSettingText {
  /** "basic[,option,...]", or '' (or only spaces) for no profile. */
  readonly options: string;
  readonly pixelRules: string | null;
  readonly encryptTo: string | null;
}

/** A usable setting. */
export interface CompiledProfileSetting {
  readonly options: ProfileOptions;
  /** The option list in canonical spelling (what the API answers). */
  readonly canonical: string;
  readonly pixelCleaning?: PixelCleaningRules;
  readonly encryptTo?: CmsRecipient;
}

/** True when the setting selects no profile. */
export const isNoProfile = (s: Pick<ProfileSettingText, 'options'>): boolean => s.options.trim() === '' || s.options.trim() === 'none';

/**
 * Compiles a setting; undefined when it selects no profile (then rules and recipient must be absent too). Throws
 * ProfileError BAD_OPTIONS / BAD_PIXEL_RULES / BAD_RECIPIENT_KEY with what to fix.
 */
export function compileProfileSetting(s: ProfileSettingText): CompiledProfileSetting | undefined {
  if (isNoProfile(s)) {
    if (s.pixelRules !== null || s.encryptTo !== null) {
      throw new ProfileError('BAD_OPTIONS', 'pixel-cleaning rules and an Encrypted Attributes recipient are options of the profile; select the profile ("basic,...") or leave them out');
    }
    return undefined;
  }
  const selection = parseProfileSelection(s.options);
  if (selection.cleanPixelData && s.pixelRules === null) {
    throw new ProfileError('BAD_PIXEL_RULES', 'clean-pixel-data needs pixel-cleaning rules (JSON, docs/profile.md): they say which devices burn text where');
  }
  if (!selection.cleanPixelData && s.pixelRules !== null) {
    throw new ProfileError('BAD_PIXEL_RULES', 'pixel-cleaning rules are used only with the clean-pixel-data option; add it to the list or leave the rules out');
  }
  return {
    options: selection.options,
    canonical: formatProfileSelection(selection),
    ...(s.pixelRules !== null && { pixelCleaning: parsePixelCleaningRules(s.pixelRules) }),
    ...(s.encryptTo !== null && { encryptTo: parseRecipient(s.encryptTo) }),
  };
}
