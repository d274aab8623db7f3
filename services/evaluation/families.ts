// Families of attacks, for scoring per family: a labelled attack's kind belongs to one family, and a
// finding's family is its detector's category (dos, recon, credential, fraud, policy, relay).

/** The family of each kind of labelled attack; a label may also name its family itself. */
export const KIND_FAMILY: Record<string, string> = {
  scan: 'recon',
  enumeration: 'recon',
  options_sweep: 'recon',
  campaign: 'recon',
  invite_flood: 'dos',
  register_flood: 'dos',
  spoofed_flood: 'dos',
  rotating_flood: 'dos',
  dialog_spoofing: 'dos',
  bruteforce: 'credential',
  credential_stuffing: 'credential',
  account_compromise: 'credential',
  toll_fraud: 'fraud',
  open_gateway: 'fraud',
  prefix_probing: 'fraud',
};

/** Detectors that count as detecting each kind of labelled attack (a label may name its own). */
export const KIND_DETECTORS: Record<string, string[]> = {
  scan: ['sip/scanner-ua', 'sip/options-sweep'],
  enumeration: ['sip/extension-enumeration', 'sip/scanner-ua'],
  invite_flood: ['sip/request-flood', 'sip/distributed-flood'],
  register_flood: ['sip/request-flood', 'sip/distributed-flood'],
  bruteforce: ['sip/digest-bruteforce', 'sip/digest-bruteforce-account', 'sip/credential-stuffing'],
  toll_fraud: ['fraud/destination-risk', 'fraud/prefix-probing', 'fraud/prefix-probing-account', 'fraud/call-velocity', 'fraud/sequential-dialing', 'fraud/concurrent-calls', 'fraud/class-of-service'],
  spoofed_flood: ['sip/request-flood', 'sip/distributed-flood'],
};

export function familyOfKind(kind: string): string {
  return KIND_FAMILY[kind] ?? 'other';
}
