// Every dialled number read once, at the collector, as one E.164 number with its country, its kind
// and the prefix that was dialled before it (services/core/dial-plan.ts): `9011972...`,
// `1010333011972...` and `+972...` are the same number dialled three ways. Detectors, the index and
// the dashboards read these fields and never parse numbers themselves.
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';
import { planOf, type DialPlan, type DialPlans } from '../../core/dial-plan';
import type { SipFlow } from '../../core/records';
import { uriParts } from '../../detectors/sip-uri';
import { BoundedMap } from '../sip/bounded-map';
import { cleanDialled, readings, type Reading } from './dial-string';
import { NON_GEOGRAPHIC, typeOf, type NumberType } from './number-type';

export interface DialledNumber {
  e164: string;
  /** ISO 3166 alpha-2; absent for non-geographic numbers (satellite, international networks) */
  country?: string;
  number_type: NumberType;
  /** exactly what was stripped before the number ('' when it was dialled as a bare national number) */
  dial_prefix: string;
}

/** The SIP methods whose To user is a dialled number. */
export const DIALLING_METHODS: ReadonlySet<string> = new Set(['INVITE']);

/** How sure a reading is: a valid number beats a number of possible length; 0 is no number. */
function rank(p: PhoneNumber | undefined, r: Reading): number {
  if (!p) return 0;
  // the reading must account for every digit: libphonenumber strips prefixes of its own otherwise
  if (r.international ? p.number !== `+${r.digits}` : p.nationalNumber !== r.digits) return 0;
  // isPossible (lengths) is cheap, isValid (every range of the country) is not: ask it second
  if (p.isPossible()) return p.isValid() ? 2 : 1;
  // libphonenumber knows few ranges of the satellite and premium codes IRSF lives on
  return NON_GEOGRAPHIC[p.countryCallingCode] && r.digits.length >= 8 && r.digits.length <= 15 ? 1 : 0;
}

/** The best reading of a dialled string under a plan, or undefined when it is no number (an extension, garbage). */
export function normaliseDialled(dialled: string, plan: DialPlan): DialledNumber | undefined {
  const s = cleanDialled(dialled);
  if (s === undefined) return undefined;
  let best: { p: PhoneNumber; r: Reading; rank: number } | undefined;
  for (const r of readings(s, plan)) {
    const p = r.international ? parsePhoneNumberFromString(`+${r.digits}`) : parsePhoneNumberFromString(r.digits, plan.home_country as CountryCode);
    const score = rank(p, r);
    if (score > (best?.rank ?? 0)) best = { p: p!, r, rank: score };
    if (score === 2) break;
  }
  if (!best) return undefined;
  const { p, r } = best;
  const out: DialledNumber = { e164: p.number, number_type: typeOf(p.countryCallingCode, best.rank === 2 ? p.getType() : undefined), dial_prefix: r.prefix };
  if (p.country) out.country = p.country;
  return out;
}

/**
 * Normalises with the plan of each record's tenant, and remembers recent answers: a parse costs
 * tens of microseconds, and a campaign dials the same numbers again and again.
 */
export class NumberNormaliser {
  private readonly cache: BoundedMap<string, DialledNumber | null>;
  private readonly planIndex = new Map<string, number>();
  private readonly plans: DialPlan[];

  constructor(
    dialPlans: DialPlans,
    cacheSize = 50_000,
  ) {
    this.cache = new BoundedMap(cacheSize);
    this.plans = [dialPlans.default];
    for (const tenant of Object.keys(dialPlans.tenants)) {
      this.planIndex.set(tenant, this.plans.length);
      this.plans.push(planOf(dialPlans, tenant));
    }
  }

  normalise(dialled: string, tenant?: string): DialledNumber | undefined {
    const index = (tenant !== undefined ? this.planIndex.get(tenant) : undefined) ?? 0;
    const key = `${index}\u0000${dialled}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.touch(key);
      return hit ?? undefined;
    }
    const answer = normaliseDialled(dialled, this.plans[index]);
    this.cache.set(key, answer ?? null);
    return answer;
  }

  /**
   * Sets sip.to.e164, country, number_type and dial_prefix of a dialling request from its To user
   * (else its request-URI user), with the plan of the record's tenant (else `defaultTenant`). Fields
   * a source sent are replaced: only the collector's own reading is trusted. True when it changed
   * the record.
   */
  apply(flow: SipFlow, defaultTenant?: string): boolean {
    const sip = flow.sip;
    const to = sip.to;
    const had = to !== undefined && (to.e164 !== undefined || to.country !== undefined || to.number_type !== undefined || to.dial_prefix !== undefined);
    if (to) {
      delete to.e164;
      delete to.country;
      delete to.number_type;
      delete to.dial_prefix;
    }
    if (!DIALLING_METHODS.has(sip.method.toUpperCase())) return had;
    const dialled = to?.user ?? uriParts(sip.request_uri).user;
    const n = dialled === undefined ? undefined : this.normalise(dialled, flow.organization?.id ?? defaultTenant);
    if (!n) return had;
    const target = (sip.to ??= {});
    target.e164 = n.e164;
    if (n.country) target.country = n.country;
    target.number_type = n.number_type;
    if (n.dial_prefix) target.dial_prefix = n.dial_prefix;
    return true;
  }
}
