// A high-risk destination (verdicts.risk: listed countries, premium-rate and similar number types)
// for a class of service that does not allow premium destinations.
import type { VerdictRule } from './rule';

export const destinationRisk: VerdictRule = {
  id: 'verdict/destination-risk',
  judge(call, _state, s) {
    if (call.cls.premium) return undefined;
    const d = call.destination;
    const why = d.country && s.risk.countries.includes(d.country) ? `country ${d.country} is high-risk` : d.number_type && s.risk.number_types.includes(d.number_type) ? `number type ${d.number_type} is high-risk` : undefined;
    if (!why) return undefined;
    return { verdict: 'deny', reason: `${d.e164 ?? d.dialled}: ${why} and class of service '${call.cls.name}' does not allow it` };
  },
};
