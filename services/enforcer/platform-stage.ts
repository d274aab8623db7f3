// The enforcer learns the platform's servers from the traffic itself: it reads the SIP flows, as
// it reads operator allowlist entries, under a group of its own per instance, so every instance
// knows every server. Only what arrives from its start on: configuration and the host's own
// addresses hold from the first second, learned servers come back with the traffic.
import { decode } from '../core/codec';
import type { SipFlow } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import type { PlatformAddresses } from './platform-addresses';

export function platformStage(opts: { topics: Topics; platform: PlatformAddresses; groupId: string }): StageDefinition {
  return {
    name: 'platform-addresses',
    groupId: opts.groupId,
    topics: [opts.topics.name('flows.sip.v1')],
    startAt: 'latest',
    process(batch) {
      for (const m of batch.messages) {
        // the detect stage dead-letters what is unusable; this reader only skips it
        let r: SipFlow | undefined;
        try {
          r = decode<SipFlow>(m);
        } catch {
          continue;
        }
        // malformed-SIP events share the topic and have no sip part
        if (typeof r?.sip?.method === 'string' && typeof r.destination?.ip === 'string') opts.platform.observe(r);
      }
    },
  };
}
