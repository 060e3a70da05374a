import type { ReceiverConfig } from '../config/receivers';

/** Verification SOP class (C-ECHO). */
export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

/** Why an association is refused, as A-ASSOCIATE-RJ reasons. */
export const REJECTIONS = ['calling-ae-not-allowed', 'called-ae-unknown'] as const;
/** One refusal reason. */
export type Rejection = (typeof REJECTIONS)[number];

/** The answer to one proposed presentation context. */
export type ContextDecision =
  | { kind: 'accept'; transferSyntaxUid: string }
  | { kind: 'reject-abstract-syntax' }
  | { kind: 'reject-transfer-syntaxes' };

/**
 * Whether an association may proceed: the called AE title must be the receiver's, and the calling AE title must be
 * on the allow-list. An empty list lets nobody in (issue 7: receivers accept only their allow-listed callers), so a
 * receiver configured without one is closed rather than open to any host that can reach it. AE titles compare
 * without their space padding, case-sensitively, as DICOM does.
 */
export function checkAssociation(receiver: Pick<ReceiverConfig, 'aeTitle' | 'allowedCallingAeTitles'>, callingAe: string, calledAe: string): Rejection | undefined {
  if (calledAe.trim() !== receiver.aeTitle.trim()) return 'called-ae-unknown';
  if (!receiver.allowedCallingAeTitles.some((a) => a.trim() === callingAe.trim())) return 'calling-ae-not-allowed';
  return undefined;
}

/**
 * Decides one presentation context: Verification and the storage SOP classes are accepted with the first of the
 * receiver's transfer syntaxes (its order of preference) that the caller proposed; anything else is refused.
 */
export function decideContext(abstractSyntax: string, proposed: string[], accepted: readonly string[], storageClasses: ReadonlySet<string>): ContextDecision {
  if (abstractSyntax !== VERIFICATION_SOP_CLASS && !storageClasses.has(abstractSyntax)) return { kind: 'reject-abstract-syntax' };
  const ts = accepted.find((t) => proposed.includes(t));
  return ts ? { kind: 'accept', transferSyntaxUid: ts } : { kind: 'reject-transfer-syntaxes' };
}
