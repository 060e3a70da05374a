/**
 * What `--profile basic[,option,...]` selects: the Table E.1-1 options (profile-options.ts) plus the options that
 * are not table columns, here Clean Pixel Data (E.3.1), which needs the site's pixel-cleaning rules.
 */
import { formatProfileOptions, parseProfileOptions, type ProfileOptions } from './profile-options';

/** The command-line spelling of the Clean Pixel Data Option. */
export const CLEAN_PIXEL_DATA_FLAG = 'clean-pixel-data';

/** A parsed profile list. */
export interface ProfileSelection {
  readonly options: ProfileOptions;
  readonly cleanPixelData: boolean;
}

/** Parses "basic[,option,...]", accepting clean-pixel-data beside the table's options. */
export function parseProfileSelection(text: string): ProfileSelection {
  const names = text.split(',').map((n) => n.trim());
  const cleanPixelData = selectsCleanPixelData(text);
  return { options: parseProfileOptions(names.filter((n) => n !== CLEAN_PIXEL_DATA_FLAG).join(',')), cleanPixelData };
}

/** True when the option list names clean-pixel-data (whatever else it names, valid or not). */
export function selectsCleanPixelData(text: string): boolean {
  return text.split(',').some((n) => n.trim() === CLEAN_PIXEL_DATA_FLAG);
}

/** The command-line spelling of a selection ("basic" first, clean-pixel-data after the table's options). */
export function formatProfileSelection(selection: ProfileSelection): string {
  const base = formatProfileOptions(selection.options);
  return selection.cleanPixelData ? `${base},${CLEAN_PIXEL_DATA_FLAG}` : base;
}
