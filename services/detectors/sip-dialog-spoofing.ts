// Dialog spoofing: requests that act on someone else's call (BYE and CANCEL tear it down, a
// re-INVITE or UPDATE moves its media, a REFER transfers it) from an address that took no part in
// it, or naming a call or tags the sensor never saw. A forged teardown or a hijack attempt, whether
// or not the proxy refused it. The collector marks such requests (sip.dialog): whether it knew the
// call and its tags, and whether the sender took part in setting it up (it received an INVITE of
// the call or an 18x/2xx answer to one, or sent an INVITE or ACK of it that proved itself; a
// CANCEL's sender must be the INVITE's). Proxies on the path received the INVITE: they are
// parties. NAT rebinding moves ports, not addresses; forks each received the INVITE.
//
// A request for a call the sensor does not know is not proof: the call may have started before
// the capture or a sensor restart, or have idled out of the collector's bounded memory (2 h). A
// phone hanging up such calls sends a few; a forger guessing Call-IDs sends many. Hence two
// thresholds: `min_foreign` requests from a non-party on calls the sensor knows (high), and the
// larger `min_unknown` on calls it does not (medium). The source address of such a request is
// itself often forged, so the remediation is a rate limit, never a block.
import { defineDetector, type CommonSettings, type Observation, type Verdict } from './definition';

const ACTS_ON_CALLS: ReadonlySet<string> = new Set(['BYE', 'CANCEL', 'INVITE', 'UPDATE', 'REFER']);

export interface DialogSpoofingSettings extends CommonSettings {
  /** requests from a non-party on calls the sensor knows, per window and source, before a finding */
  min_foreign: number;
  /** requests on calls (or tags) the sensor does not know, per window and source, before a finding */
  min_unknown: number;
  /** severity of a finding on unknown calls alone */
  unknown_severity: CommonSettings['severity'];
}

export default defineDetector<DialogSpoofingSettings>({
  id: 'sip/dialog-spoofing',
  name: 'In-dialog request from outside the dialog',
  description: 'BYE, CANCEL, re-INVITE, UPDATE or REFER from an address that took no part in the call, or for a call or tags the sensor never saw.',
  category: 'dos',
  keyType: 'ip',
  methods: [...ACTS_ON_CALLS],
  labels: { behavior: 'sip:dialog-spoofing', mitre_technique: 'T1499' },
  remediation: 'rate-limit',
  observed: ['calls'],
  escalates: true,
  defaults: {
    enabled: true,
    window_seconds: 600,
    suppress_seconds: 1800,
    severity: 'high',
    min_foreign: 1,
    min_unknown: 10,
    unknown_severity: 'medium',
  },
  settingsSchema: {
    min_foreign: { type: 'integer', minimum: 1 },
    min_unknown: { type: 'integer', minimum: 1 },
    unknown_severity: { enum: ['low', 'medium', 'high', 'critical'] },
  },
  keyOf: (r) => r.source.ip,
  observe(r): Observation | undefined {
    const d = r.sip.dialog;
    // a party of the call; a party naming a tag of a fork the sensor missed is no attack either
    const method = r.sip.method.toUpperCase();
    if (d === undefined || d.from_party || !ACTS_ON_CALLS.has(method)) return undefined;
    // a dialog the sensor never saw counts only when the proxy said it has none either (481): one it
    // answered was set up before the sensor watched (a restart), and is no forgery
    if (!d.known && r.sip.status !== 481) return undefined;
    const sample = { call_id: r.sip.call_id.slice(0, 128), method };
    return d.known ? { count: { foreign: 1 }, distinct: { calls: r.sip.call_id }, sample } : { count: { unknown: 1 }, distinct: { calls: r.sip.call_id }, sample };
  },
  evaluate(w, s): Verdict | undefined {
    const foreign = w.counts.foreign ?? 0;
    const unknown = w.counts.unknown ?? 0;
    const calls = w.distinct.calls ?? 0;
    const last = `last: ${w.sample.method} for call ${w.sample.call_id}`;
    if (foreign >= s.min_foreign) {
      return {
        counts: { foreign, unknown, calls, threshold: s.min_foreign },
        reason: `${w.key} sent ${foreign} in-dialog request(s) for calls it took no part in, ${unknown} for calls never seen, on ${calls} call(s) in ${w.windowSeconds}s (${last})`,
      };
    }
    if (unknown < s.min_unknown) return undefined;
    return {
      counts: { foreign, unknown, calls, threshold: s.min_unknown },
      reason: `${w.key} sent ${unknown} in-dialog request(s) for calls or tags never seen, on ${calls} call(s) in ${w.windowSeconds}s (${last})`,
      severity: s.unknown_severity,
    };
  },
});
