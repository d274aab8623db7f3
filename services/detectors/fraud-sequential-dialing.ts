// Fraudsters test and milk number ranges in order: ...801, ...802, ...803. People do not dial
// long numbers that differ by one, so a short run is telling. Short numbers (extensions, service
// codes) are left out: calling 113, 114, 115 in turn is how a receptionist finds a colleague.
import { chargedAccount, outsideCallDigits } from './authorised-call';
import { defineDetector, type CommonSettings } from './definition';
import { stepDigits } from './dialed-number';

export interface SequentialDialingSettings extends CommonSettings {
  /** consecutive numbers (each one more than the last) within the window before a finding */
  min_run: number;
  /** numbers shorter than this (extensions) are not considered */
  min_digits: number;
}

export default defineDetector<SequentialDialingSettings>({
  id: 'fraud/sequential-dialing',
  name: 'Sequential dialing',
  description: 'An account calls consecutive numbers (each one more than another it called) within the window.',
  category: 'fraud',
  keyType: 'account',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:sequential-dialing', mitre_technique: 'T1496' },
  remediation: 'suspend-account',
  observed: ['numbers'],
  defaults: {
    enabled: true,
    window_seconds: 3600,
    suppress_seconds: 3600,
    severity: 'high',
    min_run: 3,
    min_digits: 7,
  },
  settingsSchema: {
    min_run: { type: 'integer', minimum: 2, maximum: 100 },
    min_digits: { type: 'integer', minimum: 1, maximum: 32 },
  },
  keyOf: chargedAccount,
  observe(r, s) {
    const dialled = outsideCallDigits(r, s.min_digits);
    if (dialled === undefined) return undefined;
    // the collector's E.164 reading: a run dialled half with `011` and half with `9011` is one run
    const digits = r.sip.to?.e164?.slice(1) ?? dialled;
    return { distinct: { numbers: digits }, sample: { number: digits } };
  },
  evaluate(w, s) {
    const number = w.sample.number;
    if (number === undefined) return undefined;
    // the run through this number, both ways: parallel calls may arrive out of order
    const called = (n: string | undefined): n is string => n !== undefined && w.has('numbers', n);
    let run = 1;
    let low = number;
    for (let n = stepDigits(number, -1); run < s.min_run && called(n); n = stepDigits(n, -1)) {
      low = n;
      run++;
    }
    for (let n = stepDigits(number, 1); run < s.min_run && called(n); n = stepDigits(n, 1)) run++;
    if (run < s.min_run) return undefined;
    return {
      counts: { run, numbers: w.distinct.numbers ?? 0, threshold: s.min_run },
      reason: `account ${w.key} called ${run} consecutive numbers from ${low} in ${w.windowSeconds}s (threshold ${s.min_run})`,
    };
  },
});
