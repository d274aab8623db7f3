import fc from 'fast-check';
import { DEFAULT_DIAL_PLAN, DEFAULT_DIAL_PLANS, type DialPlan } from '../../core/dial-plan';
import type { SipFlow } from '../../core/records';
import { normaliseDialled, NumberNormaliser } from './normalise';

const GB: DialPlan = { home_country: 'GB', international_prefixes: ['+', '00'], outside_line: ['9'], carrier_codes: ['1XXX'], trunk_prefix: '0' };
const AU: DialPlan = { home_country: 'AU', international_prefixes: ['+', '0011'], outside_line: ['0'], carrier_codes: [], trunk_prefix: '0' };

describe('a dialled string read with a dial plan', () => {
  // [plan, dialled, e164, country, number_type, dial_prefix]
  const table: Array<[string, DialPlan, string, string, string | undefined, string, string]> = [
    ['NANP', DEFAULT_DIAL_PLAN, '011 972 3 555 1234', '+97235551234', 'IL', 'fixed_line', '011'],
    ['NANP', DEFAULT_DIAL_PLAN, '9011972355512 34', '+97235551234', 'IL', 'fixed_line', '9011'],
    ['NANP', DEFAULT_DIAL_PLAN, '1010333011972-3-555-1234', '+97235551234', 'IL', 'fixed_line', '1010333011'],
    ['NANP', DEFAULT_DIAL_PLAN, '91010288011972355512 34', '+97235551234', 'IL', 'fixed_line', '91010288011'],
    ['NANP', DEFAULT_DIAL_PLAN, '+97235551234', '+97235551234', 'IL', 'fixed_line', '+'],
    ['NANP', DEFAULT_DIAL_PLAN, '18765551234', '+18765551234', 'JM', 'mobile', '1'],
    ['NANP', DEFAULT_DIAL_PLAN, '918095551234', '+18095551234', 'DO', 'fixed_line_or_mobile', '91'],
    ['NANP', DEFAULT_DIAL_PLAN, '(212) 555-1234', '+12125551234', 'US', 'fixed_line_or_mobile', ''],
    ['NANP', DEFAULT_DIAL_PLAN, '011881631234567', '+881631234567', undefined, 'satellite', '011'],
    ['NANP', DEFAULT_DIAL_PLAN, '01188213001234', '+88213001234', undefined, 'international_network', '011'],
    ['NANP', DEFAULT_DIAL_PLAN, '+97912345678', '+97912345678', undefined, 'premium_rate', '+'],
    ['NANP', DEFAULT_DIAL_PLAN, '0037190012345', '+37190012345', 'LV', 'premium_rate', '00'],
    ['NANP', DEFAULT_DIAL_PLAN, '+80012345678', '+80012345678', undefined, 'toll_free', '+'],
    ['NANP', DEFAULT_DIAL_PLAN, '+4915112345678', '+4915112345678', 'DE', 'mobile', '+'],
    ['GB', GB, '02079460065', '+442079460065', 'GB', 'fixed_line', '0'],
    ['GB', GB, '90049301680738', '+49301680738', 'DE', 'fixed_line', '900'],
    ['GB', GB, '1234004930168073 8', '+49301680738', 'DE', 'fixed_line', '123400'],
    ['AU', AU, '0011972 3 555 1234', '+97235551234', 'IL', 'fixed_line', '0011'],
    ['AU', AU, '00011972 3 555 1234', '+97235551234', 'IL', 'fixed_line', '00011'],
    ['AU', AU, '0290001234', '+61290001234', 'AU', 'fixed_line', '0'],
  ];
  it.each(table.map(([name, plan, dialled, ...rest]) => [name, dialled, plan, ...rest] as const))('%s plan: %s', (_name, dialled, plan, e164, country, type, prefix) => {
    const n = normaliseDialled(dialled, plan);
    expect(n).toEqual({ e164, ...(country ? { country } : {}), number_type: type, dial_prefix: prefix });
  });

  it('finds no number in extensions, short codes, garbage and hostile strings', () => {
    const hostile = ['101', '911', '*97', '', '+', '++972355512', '9011', 'alice', '0x1F', '97235551234a', '1'.repeat(40), '+' + '9'.repeat(33), '٠١١٩٧٢٣٥٥٥١٢٣٤', '０１１９７２３５５５１２３４', '011972355512\u00a034\u0000', '9'.repeat(100_000), '+972 3 555 1234;phone-context=x', '90+97235551234'];
    for (const s of hostile) expect(normaliseDialled(s, DEFAULT_DIAL_PLAN)).toBeUndefined();
  });
});

const flow = (user: string | undefined, method = 'INVITE', extra: Partial<SipFlow['sip']> = {}, tenant?: string): SipFlow => ({
  '@timestamp': '2026-01-01T00:00:00.000Z',
  event: { id: 'x', kind: 'event', dataset: 'sip.flow' },
  source: { ip: '192.0.2.1' },
  destination: { ip: '192.0.2.10' },
  network: { transport: 'udp' },
  ...(tenant ? { organization: { id: tenant } } : {}),
  sip: { call_id: 'c', method, ...(user !== undefined ? { to: { user } } : {}), ...extra },
});

describe('the collector\'s reading of a flow', () => {
  const normaliser = new NumberNormaliser({ default: DEFAULT_DIAL_PLAN, tenants: { 'acme-uk': { home_country: 'GB', trunk_prefix: '0', international_prefixes: ['+', '00'], carrier_codes: [] } } });

  it('sets the number fields of an INVITE with the plan of its tenant', () => {
    const us = flow('02079460065');
    const uk = flow('02079460065', 'INVITE', {}, 'acme-uk');
    expect([normaliser.apply(us), normaliser.apply(uk)]).toEqual([false, true]);
    expect(us.sip.to).toEqual({ user: '02079460065' });
    expect(uk.sip.to).toEqual({ user: '02079460065', e164: '+442079460065', country: 'GB', number_type: 'fixed_line', dial_prefix: '0' });
    // the sensor's tenant stands in for records without one
    const byDefault = flow('02079460065');
    normaliser.apply(byDefault, 'acme-uk');
    expect(byDefault.sip.to?.e164).toBe('+442079460065');
  });

  it('reads the request-URI user when To has none, and leaves other methods alone', () => {
    const r = flow(undefined, 'INVITE', { request_uri: 'sip:9011-972-3555-1234@192.0.2.10;user=phone' });
    expect(normaliser.apply(r)).toBe(true);
    expect(r.sip.to).toEqual({ e164: '+97235551234', country: 'IL', number_type: 'fixed_line', dial_prefix: '9011' });
    const reg = flow('+97235551234', 'REGISTER');
    expect(normaliser.apply(reg)).toBe(false);
    expect(reg.sip.to).toEqual({ user: '+97235551234' });
  });

  it('replaces fields a source made up with its own reading', () => {
    const forged = flow('101', 'INVITE', {});
    Object.assign(forged.sip.to!, { e164: '+18765551234', country: 'JM', number_type: 'premium_rate', dial_prefix: '011' });
    expect(normaliser.apply(forged)).toBe(true);
    expect(forged.sip.to).toEqual({ user: '101' });
  });

  it('answers a number it read before from its cache, the same way', () => {
    const n = new NumberNormaliser(DEFAULT_DIAL_PLANS, 2);
    const first = n.normalise('9011972355512 34');
    for (const s of ['+12125551234', '+18095551234', '9011972355512 34']) n.normalise(s);
    expect(n.normalise('9011972355512 34')).toEqual(first);
    expect(n.normalise('alice')).toBeUndefined();
    expect(n.normalise('alice')).toBeUndefined();
  });
});

describe('hostile dialled strings', () => {
  it('never throw, and any number found fits the flow schema', () => {
    const plans = [DEFAULT_DIAL_PLAN, GB, AU];
    const digitsAndNoise = fc.stringMatching(/^[+0-9 ()\-.a-z*#\u0660-\u0669]{0,60}$/);
    fc.assert(
      fc.property(fc.oneof(digitsAndNoise, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 })), fc.constantFrom(...plans), (s, plan) => {
        const n = normaliseDialled(s, plan);
        if (n === undefined) return true;
        return /^\+[1-9][0-9]{1,14}$/.test(n.e164) && /^(\+|[0-9]{1,32})?$/.test(n.dial_prefix) && (n.country === undefined || /^[A-Z]{2}$/.test(n.country)) && /^[a-z_]{1,32}$/.test(n.number_type);
      }),
      { numRuns: 3000, seed: 15 },
    );
  });
});
