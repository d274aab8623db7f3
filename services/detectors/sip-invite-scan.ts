// INVITE probing: one source sends INVITEs without credentials to many distinct numbers and is
// refused (challenged, forbidden, not found): a scanner looking for a dial plan that lets it out,
// or for numbers that exist. A call centre also dials many distinct numbers, and each of its calls
// starts with an INVITE that is challenged (407); but it answers the challenge, so the same number
// comes back with credentials. A trunk authorised by its address has its calls answered without
// any. So a number counts as probed when it was refused to a request without credentials, less
// the numbers this source dialled with credentials or had accepted (sizes of sets: a difference of
// estimates once a set is past its exact bound). Answered calls without a challenge are an open
// gateway's, and fraud/unauthenticated-call's business. The evidence is unanswered, unauthenticated
// requests, which anyone can send with a forged UDP source (a spoofed flood dials random numbers
// from hundreds of borrowed addresses), so it asks for a rate limit, not a block; a horizon can
// ask for more (`remediation: block-source`).
import { dialedOf } from './dialed-number';
import { defineDetector, type CommonSettings, type Observation } from './definition';

export interface InviteScanSettings extends CommonSettings {
  /** final statuses of an INVITE without credentials that count as a refused probe */
  probe_statuses: number[];
  /** distinct numbers probed (less those dialled with credentials or accepted) per window before a finding */
  min_numbers: number;
  /** no finding while the numbers dialled with credentials are more than this share of those refused (an office) */
  max_dialled_ratio: number;
}

export default defineDetector<InviteScanSettings>({
  id: 'sip/invite-scan',
  name: 'SIP INVITE probing',
  description: 'One source sends INVITEs without credentials to many distinct numbers within the window, is refused, and never calls them with credentials.',
  category: 'recon',
  keyType: 'ip',
  methods: ['INVITE'],
  labels: { behavior: 'sip:scan', mitre_technique: 'T1595' },
  remediation: 'rate-limit',
  observed: ['probed'],
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 600,
    severity: 'high',
    probe_statuses: [401, 403, 404, 407, 484, 604],
    min_numbers: 10,
    max_dialled_ratio: 0.5,
    horizons: [
      { name: '1h', window_seconds: 3600, suppress_seconds: 3600, min_numbers: 30 },
      { name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_numbers: 60 },
    ],
  },
  settingsSchema: {
    probe_statuses: { type: 'array', items: { type: 'integer', minimum: 400, maximum: 699 }, minItems: 1 },
    max_dialled_ratio: { type: 'number', minimum: 0, maximum: 1 },
    min_numbers: { type: 'integer', minimum: 2 },
  },
  keyOf: (r) => r.source.ip,
  observe(r, s): Observation | undefined {
    if (r.sip.method.toUpperCase() !== 'INVITE') return undefined;
    const status = r.sip.status;
    const number = dialedOf(r);
    if (status === undefined || number === undefined) return undefined;
    if (r.sip.auth_user !== undefined || (status >= 180 && status < 300)) return { distinct: { dialled: number }, ifKeyed: true };
    if (s.probe_statuses.includes(status)) return { distinct: { probed: number } };
    return undefined;
  },
  evaluate(w, s) {
    const probed = w.distinct.probed ?? 0;
    const dialled = w.distinct.dialled ?? 0;
    if (probed - dialled < s.min_numbers) return undefined;
    // an office dials with credentials nearly every number it was first challenged for; past the
    // exact bound both sets are sketches (a few % each), and their difference alone would alarm
    if (dialled > probed * s.max_dialled_ratio) return undefined;
    return {
      counts: { probed_numbers: probed, dialled_numbers: dialled, threshold: s.min_numbers },
      reason: `INVITEs without credentials to ${probed} distinct numbers refused (${dialled} dialled with credentials or accepted) in ${w.windowSeconds}s (threshold ${s.min_numbers})`,
    };
  },
});
